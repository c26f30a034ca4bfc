import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text, update

from actions.records import (
    AttemptClosedError,
    RecordNotFoundError,
    Records,
    Status,
)
from actions.records.database import SchemaVersionError
from actions.records.models import SCHEMA_VERSION, SchemaVersion


def test_start_attempt_creates_trainee_and_can_be_resumed(records, start):
    attempt_id = start(trainee_id="wecom-lisi", mode="exam", seed=42)
    resumed = records.open_attempt("wecom-lisi")
    assert resumed is not None
    assert resumed.id == attempt_id
    assert (resumed.mode, resumed.seed, resumed.status) == ("exam", 42, "in_progress")
    assert resumed.started_at == records.now()
    assert records.open_attempt("nobody") is None


def test_start_attempt_with_given_id_is_idempotent(records, start):
    first = start(attempt_id="a-1")
    again = start(attempt_id="a-1", seed=99)
    assert first == again == "a-1"
    assert records.get_attempt("a-1").seed == 7


def test_new_attempt_abandons_the_one_left_open(records, start):
    old = start()
    new = start(scenario_id="gift", scenario_title="送礼")
    assert records.get_attempt(old).status == Status.ABANDONED
    assert records.open_attempt("S001").id == new


@pytest.mark.parametrize(
    "bad",
    [
        {"mode": "test"},
        {"pass_mark": 120},
        {"turn_count": 0},
        {"trainee_id": " "},
        {"assignment_id": 1},  # only exams belong to an assignment
    ],
)
def test_start_attempt_validates(start, bad):
    with pytest.raises(ValueError):
        start(**bad)


def test_record_reply_is_idempotent_on_attempt_turn_try(records, start, reply):
    attempt_id = start()
    first = reply(attempt_id, 0, 80, hits=["道歉"])
    retried = reply(attempt_id, 0, 10, hits=["changed"])
    assert retried == first
    [stored] = records.attempt_replies(attempt_id)
    assert (stored.score, stored.hits) == (80, ["道歉"])


def test_retried_reply_after_finish_returns_stored_id(records, start, reply):
    attempt_id = start(turn_count=1)
    reply_id = reply(attempt_id, 0, 80)
    records.finish_attempt(attempt_id, "completed")
    assert reply(attempt_id, 0, 80) == reply_id
    with pytest.raises(AttemptClosedError):
        reply(attempt_id, 0, 80, try_index=1)


def test_record_reply_rejects_unknown_attempt_and_bad_turns(start, reply):
    attempt_id = start(turn_count=2)
    with pytest.raises(RecordNotFoundError):
        reply("missing", 0, 80)
    with pytest.raises(ValueError):
        reply(attempt_id, 2, 80)  # turns are 0-based: 0 and 1
    with pytest.raises(ValueError):
        reply(attempt_id, 0, 101)


def test_chinese_json_round_trips(records, start, reply):
    attempt_id = start()
    hits = [{"id": "apologise", "label": "先道歉"}]
    reply(attempt_id, 0, 70, hits=hits, violations=["打折"])
    [stored] = records.attempt_replies(attempt_id)
    assert stored.hits == hits
    assert stored.violations == ["打折"]


# Turn scores by turn index (None: turn never closed), turn count, final status.
@pytest.mark.parametrize(
    "turn_scores, turn_count, status, total, passed",
    [
        ([80, 90, 70], 3, "completed", 80, True),
        ([80, 90, None], 3, "walked_out", 57, False),  # 170 / 3
        ([100, None, None, None], 4, "stopped", 25, False),
        ([60, 61], 2, "completed", 61, True),  # 60.5 rounds half up
        ([59, 60], 2, "completed", 60, True),  # 59.5 → 60 meets the mark
        ([59, 59], 2, "completed", 59, False),
    ],
)
def test_finish_attempt_totals_count_unreached_turns_as_zero(
    records, start, reply, turn_scores, turn_count, status, total, passed
):
    attempt_id = start(turn_count=turn_count, pass_mark=60)
    for turn, score in enumerate(turn_scores):
        if score is not None:
            reply(attempt_id, turn, score)
    finished = records.finish_attempt(attempt_id, status)
    assert (finished.status, finished.total_score, finished.passed) == (
        status,
        total,
        passed,
    )
    assert finished.finished_at == records.now()


def test_only_the_reply_that_closed_a_turn_counts(records, start, reply):
    attempt_id = start(turn_count=2)
    reply(attempt_id, 0, 20, final=False, hint_used=True)
    reply(attempt_id, 0, 75, try_index=1)
    reply(attempt_id, 1, 30, final=False)  # the customer left during turn 1
    finished = records.finish_attempt(attempt_id, "walked_out")
    assert finished.total_score == 38  # (75 + 0) / 2 = 37.5
    assert finished.hints_used == 1


def test_finish_attempt_twice_keeps_the_first_outcome(records, start, reply, clock):
    attempt_id = start(turn_count=1)
    reply(attempt_id, 0, 90)
    first = records.finish_attempt(attempt_id, "completed")
    clock.advance(minutes=5)
    again = records.finish_attempt(attempt_id, "stopped")
    assert (again.status, again.finished_at) == ("completed", first.finished_at)
    with pytest.raises(ValueError):
        records.finish_attempt(attempt_id, "in_progress")


def test_close_stale_attempts_uses_the_last_reply_time(records, start, reply, clock):
    idle = start(trainee_id="S001")
    busy = start(trainee_id="S002")
    clock.advance(hours=5)
    reply(busy, 0, 80)
    clock.advance(hours=2)
    closed = records.close_stale_attempts(timedelta(hours=6))
    assert closed == [idle]
    assert records.get_attempt(idle).status == Status.ABANDONED
    assert records.get_attempt(idle).finished_at == clock()
    assert records.get_attempt(busy).status == Status.IN_PROGRESS
    cutoff = clock() + timedelta(minutes=1)
    assert records.close_stale_attempts(cutoff) == [busy]


def test_records_survive_a_restart(db_url, clock, start, reply):
    attempt_id = start()
    reply(attempt_id, 0, 66)
    reopened = Records(db_url, clock=clock)
    try:
        assert reopened.open_attempt("S001").id == attempt_id
        assert [r.score for r in reopened.attempt_replies(attempt_id)] == [66]
    finally:
        reopened.close()


def test_ensure_trainee_updates_name_and_channel(records):
    records.ensure_trainee("zhangsan")
    trainee = records.ensure_trainee("zhangsan", name="张三", channel="wecom")
    assert (trainee.display_name, trainee.channel) == ("张三", "wecom")
    kept = records.ensure_trainee("zhangsan")
    assert (kept.display_name, kept.channel) == ("张三", "wecom")


# -- overrides ------------------------------------------------------------


def test_override_keeps_history_and_recomputes_total(records, start, reply, clock):
    attempt_id = start(turn_count=2, pass_mark=60)
    first = reply(attempt_id, 0, 40)
    reply(attempt_id, 1, 70)
    assert records.finish_attempt(attempt_id, "completed").passed is False  # 55

    clock.advance(hours=1)
    raised = records.override_score(first, 60, "客户其实接受了解释", "王老师")
    assert (raised.old_score, raised.new_score) == (40, 60)
    assert (raised.attempt_total, raised.attempt_passed) == (65, True)

    clock.advance(hours=1)
    lowered = records.override_score(first, 45, "复核:没有道歉", "李老师")
    assert lowered.old_score == 60
    assert (lowered.attempt_total, lowered.attempt_passed) == (58, False)  # 57.5

    history = records.overrides_for(first)
    assert [(o.old_score, o.new_score, o.trainer) for o in history] == [
        (40, 60, "王老师"),
        (60, 45, "李老师"),
    ]
    stored = records.get_attempt(attempt_id)
    assert (stored.total_score, stored.passed) == (58, False)
    # The reply's own score is never rewritten.
    assert records.attempt_replies(attempt_id)[0].score == 40


@pytest.mark.parametrize(
    "new_score, comment, trainer",
    [(101, "理由", "王老师"), (-5, "理由", "王老师"), (80, "  ", "王老师"), (80, "理由", "")],
)
def test_override_validates(records, start, reply, new_score, comment, trainer):
    reply_id = reply(start(), 0, 50)
    with pytest.raises(ValueError):
        records.override_score(reply_id, new_score, comment, trainer)
    assert records.overrides_for(reply_id) == []


def test_override_of_unknown_reply(records):
    with pytest.raises(RecordNotFoundError):
        records.override_score(12345, 80, "理由", "王老师")


# -- exam assignments -----------------------------------------------------


def test_assignments_are_marked_overdue(records, clock):
    due = clock() + timedelta(days=1)
    ids = records.assign_exam("checkout_change", ["S001", "S002"], due, "王老师")
    assert len(ids) == 2
    [before] = records.assignments_for("S001")
    assert (before.overdue, before.done, before.due_at) == (False, False, due)
    [after] = records.assignments_for("S001", now=due + timedelta(seconds=1))
    assert after.overdue is True
    clock.advance(days=2)
    assert records.assignments_for("S002")[0].overdue is True


def test_reassigning_an_open_exam_moves_its_due_date(records, clock):
    first_due = clock() + timedelta(days=1)
    later_due = clock() + timedelta(days=7)
    [first] = records.assign_exam("gift", ["S001"], first_due, "王老师")
    [again] = records.assign_exam("gift", ["S001"], later_due, "王老师")
    assert first == again
    [only] = records.assignments_for("S001")
    assert only.due_at == later_due


@pytest.mark.parametrize(
    "status, fulfils", [("completed", True), ("walked_out", True), ("stopped", False)]
)
def test_finished_exam_fulfils_its_assignment(records, start, clock, status, fulfils):
    [assignment] = records.assign_exam(
        "bargain_sofa", ["S001"], clock() + timedelta(days=3), "王老师"
    )
    attempt_id = start(mode="exam")  # attached to the open assignment
    assert records.get_attempt(attempt_id).assignment_id == assignment
    records.finish_attempt(attempt_id, status)
    [state] = records.assignments_for("S001")
    assert state.done is fulfils
    assert state.attempt_id == (attempt_id if fulfils else None)


def test_first_exam_counts_for_an_assignment(records, start, clock):
    [assignment] = records.assign_exam(
        "bargain_sofa", ["S001"], clock() + timedelta(days=3), "王老师"
    )
    first = start(mode="exam", assignment_id=assignment)
    records.finish_attempt(first, "completed")
    second = start(mode="exam")
    assert records.get_attempt(second).assignment_id is None  # nothing open any more
    assert records.link_assignment(assignment, second) is False
    assert records.link_assignment(assignment, first) is True
    assert records.assignments_for("S001")[0].attempt_id == first


def test_exam_for_someone_elses_assignment_is_refused(records, start, clock):
    [assignment] = records.assign_exam(
        "bargain_sofa", ["S002"], clock() + timedelta(days=3), "王老师"
    )
    with pytest.raises(ValueError):
        start(mode="exam", assignment_id=assignment)


# -- database behaviour ---------------------------------------------------


def test_schema_version_is_recorded_and_checked(records, db_url):
    with records.database.reading() as session:
        assert session.get(SchemaVersion, SCHEMA_VERSION) is not None
    with records.database.writing() as session:
        session.execute(update(SchemaVersion).values(version=SCHEMA_VERSION + 1))
    newer_code_db = Records(db_url)
    try:
        with pytest.raises(SchemaVersionError):
            newer_code_db.open_attempt("S001")
    finally:
        newer_code_db.close()


def test_sqlite_uses_wal_and_a_busy_timeout(tmp_path):
    store = Records(f"sqlite:///{tmp_path / 'var' / 'records.db'}")
    try:
        with store.database.reading() as session:
            mode = session.execute(text("PRAGMA journal_mode")).scalar()
            timeout = session.execute(text("PRAGMA busy_timeout")).scalar()
        assert mode == "wal"
        assert timeout >= 5000
        assert (tmp_path / "var" / "records.db").exists()
    finally:
        store.close()


def test_two_writers_on_one_database_lose_nothing(db_url, start):
    """The action server and a CLI (two engines) writing at the same time."""
    attempt_ids = [start(trainee_id=f"T{i}", turn_count=20) for i in range(4)]
    writers = [Records(db_url), Records(db_url)]
    errors: list[BaseException] = []

    def play(store: Records, attempt_id: str) -> None:
        try:
            for turn in range(20):
                store.record_reply(
                    attempt_id,
                    turn,
                    0,
                    "browse",
                    "随便看看",
                    "您好,欢迎光临",
                    70,
                    [],
                    [],
                    [],
                    False,
                    True,
                )
            store.finish_attempt(attempt_id, "completed")
        except BaseException as error:  # noqa: B036 - surfaced by the assert below
            errors.append(error)

    threads = [
        threading.Thread(target=play, args=(writers[i % 2], attempt_id))
        for i, attempt_id in enumerate(attempt_ids)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        for attempt_id in attempt_ids:
            attempt = writers[0].get_attempt(attempt_id)
            assert (attempt.status, attempt.total_score) == ("completed", 70)
            assert len(writers[1].attempt_replies(attempt_id)) == 20
    finally:
        for store in writers:
            store.close()


def test_naive_datetimes_are_taken_as_utc(records):
    naive_due = datetime(2026, 12, 31, 15, 59, 59)
    records.assign_exam("gift", ["S001"], naive_due, "王老师")
    [state] = records.assignments_for("S001")
    assert state.due_at == naive_due.replace(tzinfo=timezone.utc)
