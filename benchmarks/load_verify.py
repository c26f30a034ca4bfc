"""After a load run: is every turn in the tracker store and the records, once, in order?

The tracker store must hold each trainee's messages exactly as sent (same ids, same order, none
missing, none twice), each followed by at least one bot message; the records must hold each
scored reply exactly once, in the order it was sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Sequence, Tuple

from sqlalchemy import create_engine, text

from benchmarks.load_clients import TraineeLog


@dataclass
class Verdict:
    trainees: int = 0
    user_messages: int = 0
    scored_replies: int = 0
    problems: List[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def summary(self) -> str:
        state = "OK" if self.ok else f"{len(self.problems)} PROBLEM(S)"
        lines = [
            f"consistency: {state} - {self.trainees} trainees, {self.user_messages} "
            f"messages in the tracker store, {self.scored_replies} replies in the records"
        ]
        lines += [f"  ✘ {p}" for p in self.problems[:20]]
        if len(self.problems) > 20:
            lines.append(f"  … and {len(self.problems) - 20} more")
        return "\n".join(lines)


def _chunks(items: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _rows_by_sender(
    db_url: str, sql: str, senders: Sequence[str]
) -> Dict[str, List[tuple]]:
    """The rows of ``sql`` (first column: the sender, bound as :senders) per sender, in order."""
    engine = create_engine(db_url, future=True)
    found: Dict[str, List[tuple]] = {s: [] for s in senders}
    query = text(sql).bindparams(_expanding("senders"))
    try:
        with engine.connect() as conn:
            for chunk in _chunks(list(senders)):
                for sender, *rest in conn.execute(query, {"senders": list(chunk)}):
                    found[sender].append(tuple(rest))
    finally:
        engine.dispose()
    return found


def tracker_events(
    tracker_db_url: str, senders: Sequence[str]
) -> Dict[str, List[Tuple[str, dict]]]:
    """(type, event data) per sender, in storage order."""
    rows = _rows_by_sender(
        tracker_db_url,
        "SELECT sender_id, type_name, data FROM events "
        "WHERE sender_id IN :senders ORDER BY id",
        senders,
    )
    return {
        sender: [(type_name, json.loads(data)) for type_name, data in events]
        for sender, events in rows.items()
    }


def recorded_replies(
    records_db_url: str, senders: Sequence[str]
) -> Dict[str, List[Tuple[str, int, int, str]]]:
    """(attempt id, turn, try, reply) per trainee, attempts by start, replies by turn/try."""
    return _rows_by_sender(
        records_db_url,
        "SELECT a.trainee_id, r.attempt_id, r.turn_index, r.try_index, r.reply "
        "FROM replies r JOIN attempts a ON a.id = r.attempt_id "
        "WHERE a.trainee_id IN :senders "
        "ORDER BY a.started_at, a.id, r.turn_index, r.try_index",
        senders,
    )


def _expanding(name: str):
    from sqlalchemy import bindparam

    return bindparam(name, expanding=True)


def check_tracker(
    verdict: Verdict, log: TraineeLog, events: List[Tuple[str, dict]]
) -> None:
    users = [(i, data) for i, (kind, data) in enumerate(events) if kind == "user"]
    verdict.user_messages += len(users)
    # A message that got an error instead of an answer must not have been stored either.
    sent = [s for s in log.sent if s.delivered]
    # REST sends its own message ids; over socket.io Rasa makes them, so compare the texts.
    if log.transport == "rest":
        got = [data.get("message_id") for _, data in users]
        want = [s.message_id for s in sent]
    else:
        got = [data.get("text") for _, data in users]
        want = [s.text for s in sent]
    if got != want:
        verdict.add(
            f"{log.sender}: tracker has {len(got)} user messages, sent {len(want)}; "
            f"first difference at #{_first_difference(got, want)}"
        )
        return
    bounds = [i for i, _ in users] + [len(events)]
    for n, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
        if not any(kind == "bot" for kind, _ in events[start + 1 : end]):
            verdict.add(
                f"{log.sender}: message #{n} ({sent[n].text[:20]}) has no bot answer"
            )


def check_records(
    verdict: Verdict, log: TraineeLog, replies: List[Tuple[str, int, int, str]]
) -> None:
    verdict.scored_replies += len(replies)
    want = [s.text for s in log.sent if s.scored and s.delivered]
    got = [reply for *_, reply in replies]
    if got != want:
        verdict.add(
            f"{log.sender}: records hold {len(got)} replies, sent {len(want)}; "
            f"first difference at #{_first_difference(got, want)}"
        )
    keys = [(attempt, turn, try_index) for attempt, turn, try_index, _ in replies]
    if len(set(keys)) != len(keys):
        verdict.add(f"{log.sender}: a (turn, try) is recorded twice")


def _first_difference(got: Sequence, want: Sequence) -> int:
    for i, (a, b) in enumerate(zip(got, want, strict=False)):
        if a != b:
            return i
    return min(len(got), len(want))


def verify(
    logs: Sequence[TraineeLog], tracker_db_url: str, records_db_url: str
) -> Verdict:
    verdict = Verdict(trainees=len(logs))
    senders = [log.sender for log in logs]
    events = tracker_events(tracker_db_url, senders)
    replies = recorded_replies(records_db_url, senders)
    for log in logs:
        check_tracker(verdict, log, events[log.sender])
        check_records(verdict, log, replies[log.sender])
    return verdict
