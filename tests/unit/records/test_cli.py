"""The trainer's CLI, run as a real subprocess against a SQLite file."""

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from actions.records import Records
from actions.records.settings import PROJECT_ROOT


@pytest.fixture
def db_file(tmp_path) -> Path:
    return tmp_path / "records.db"


@pytest.fixture
def seeded(db_file):
    """One finished practice and one attempt idle for two days, in the real past."""
    moment = [datetime.now(timezone.utc) - timedelta(days=2)]
    store = Records(f"sqlite:///{db_file}", clock=lambda: moment[0])
    store.ensure_trainee("S001", name="张三")
    attempt_id = store.start_attempt(
        "S001", "bargain_sofa", "沙发砍价", "practice", 3, "r1", 60, 1
    )
    reply_id = store.record_reply(
        attempt_id, 0, 0, "bargain", "能便宜点吗?", "对不起,我们是统一定价的。",
        55, [{"id": "apologise", "label": "先道歉"}],
        [{"id": "after_sales", "label": "售后有保障"}], [], False, True,
    )  # fmt: skip
    moment[0] += timedelta(minutes=4)
    store.finish_attempt(attempt_id, "completed")
    idle_id = store.start_attempt("S002", "gift", "送礼", "practice", 4, "r1", 60, 2)
    store.close()
    return {"attempt": attempt_id, "reply": reply_id, "idle": idle_id}


def run_cli(db_file: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, RECORDS_DB_URL=f"sqlite:///{db_file}")
    env.pop("RECORDS_TIMEZONE", None)
    return subprocess.run(
        [sys.executable, "-m", "actions.records", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def open_records(db_file: Path) -> Records:
    return Records(f"sqlite:///{db_file}")


def test_assign_and_list_assignments(db_file):
    done = run_cli(
        db_file, "assign", "--scenario", "bargain_sofa", "--trainee", "S001",
        "--trainee", "S002", "--due", "2099-12-31", "--by", "王老师",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2 位学员" in done.stdout
    late = run_cli(
        db_file, "assign", "--scenario", "gift", "--trainee", "S001",
        "--due", "2020-01-01", "--by", "王老师",
    )  # fmt: skip
    assert late.returncode == 0, late.stderr

    store = open_records(db_file)
    try:
        states = {row.scenario_id: row for row in store.assignments_for("S001")}
    finally:
        store.close()
    # End of the day in Shanghai (UTC+8).
    assert states["bargain_sofa"].due_at == datetime(
        2099, 12, 31, 15, 59, 59, tzinfo=timezone.utc
    )
    assert states["gift"].overdue and not states["bargain_sofa"].overdue

    listing = run_cli(db_file, "assignments", "S001")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert any("gift" in line and "已逾期" in line for line in lines)
    assert any("bargain_sofa" in line and "待完成" in line for line in lines)
    assert "2099-12-31 23:59" in listing.stdout


def test_assign_rejects_a_bad_date(db_file):
    result = run_cli(
        db_file, "assign", "--scenario", "gift", "--trainee", "S001",
        "--due", "31/12/2026", "--by", "王老师",
    )  # fmt: skip
    assert result.returncode == 1
    assert "截止日期" in result.stderr


def test_override_then_transcript(db_file, seeded):
    result = run_cli(
        db_file, "override", str(seeded["reply"]), "70",
        "--comment", "其实讲到了售后", "--by", "王老师",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "55" in result.stdout and "70" in result.stdout
    store = open_records(db_file)
    try:
        attempt = store.get_attempt(seeded["attempt"])
        assert (attempt.total_score, attempt.passed) == (70, True)
    finally:
        store.close()

    transcript = run_cli(db_file, "transcript", seeded["attempt"])
    assert transcript.returncode == 0, transcript.stderr
    for expected in ("能便宜点吗?", "对不起,我们是统一定价的。", "其实讲到了售后", "售后有保障"):
        assert expected in transcript.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["override", "1", "150", "--comment", "x", "--by", "王老师"], "0–100"),
        (["override", "1", "80", "--comment", " ", "--by", "王老师"], "调整说明"),
        (["override", "999", "80", "--comment", "x", "--by", "王老师"], "999"),
        (["transcript", "no-such-attempt"], "no-such-attempt"),
    ],
)
def test_cli_errors_are_reported_in_chinese(db_file, seeded, args, message):
    result = run_cli(db_file, *args)
    assert result.returncode == 1
    assert result.stderr.startswith("错误")
    assert message in result.stderr


def test_reports(db_file, seeded):
    trainee = run_cli(db_file, "report", "trainee", "S001")
    assert trainee.returncode == 0, trainee.stderr
    assert seeded["attempt"] in trainee.stdout
    assert "沙发砍价" in trainee.stdout and "张三" in trainee.stdout

    team = run_cli(db_file, "report", "team")
    assert team.returncode == 0, team.stderr
    assert "S001" in team.stdout and "S002" in team.stdout

    weakest = run_cli(db_file, "report", "weakest", "--min-seen", "1")
    assert weakest.returncode == 0, weakest.stderr
    assert "售后有保障" in weakest.stdout
    assert "先道歉" not in weakest.stdout  # hit every time, never weak


@pytest.mark.parametrize("what, header", [("attempts", "总分"), ("replies", "学员回复")])
def test_export(db_file, seeded, tmp_path, what, header):
    output = tmp_path / f"{what}.csv"
    result = run_cli(db_file, "export", what, "--output", str(output))
    assert result.returncode == 0, result.stderr
    raw = output.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    first_line = raw.decode("utf-8-sig").splitlines()[0]
    assert header in first_line.split(",")


def test_close_stale(db_file, seeded):
    result = run_cli(db_file, "close-stale", "--hours", "24")
    assert result.returncode == 0, result.stderr
    store = open_records(db_file)
    try:
        assert store.get_attempt(seeded["idle"]).status == "abandoned"
        assert store.get_attempt(seeded["attempt"]).status == "completed"
    finally:
        store.close()


def test_unsupported_database_url(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "actions.records", "report", "team"],
        cwd=PROJECT_ROOT,
        env=dict(os.environ, RECORDS_DB_URL="mysql://x@localhost/db"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "PostgreSQL" in result.stderr
