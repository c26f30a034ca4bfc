"""A trainee plays scenarios through the real REST channel; the records hold every turn (issue 4)."""

import json
import re
import uuid

from actions.records import Records, reports
from tests.e2e.play import POOR_REPLY, good_reply, scenario, texts

SCENARIO = "bargain_sofa"


def start(stack, sender, scenario_id=SCENARIO, intent="start_practice"):
    payload = json.dumps({"scenario_id": scenario_id})
    return stack.send(sender, f"/{intent}{payload}")


def records(stack):
    return Records(stack.records_url)


def test_scenario_menu_lists_every_scenario(stack):
    messages = stack.send("menu-" + uuid.uuid4().hex[:6], "开始练习")
    buttons = [b for m in messages for b in m.get("buttons", [])]
    assert "请选择一个练习场景" in texts(messages)
    assert len(buttons) >= 14
    assert any(
        b["payload"] == '/start_practice{"scenario_id": "bargain_sofa"}'
        for b in buttons
    )


def test_good_play_passes_with_feedback_and_report(stack):
    sender = "A-good-" + uuid.uuid4().hex[:6]
    play = scenario(SCENARIO)
    opening = texts(start(stack, sender))
    assert play.title in opening and play.customer.name in opening
    assert any(line in opening for line in play.turns[0].lines)
    for turn in play.turns:
        answer = texts(stack.send(sender, good_reply(turn.situation, turn.context)))
        assert "得分" in answer and "✔ 达标" in answer
        assert "手册出处" in answer
    assert "【练习报告】" in answer and "✔ 通过" in answer
    assert "改进建议" in answer

    store = records(stack)
    (attempt,) = reports.trainee_attempts(store, sender)
    assert attempt.status == "completed" and attempt.passed
    assert attempt.scenario_id == SCENARIO and attempt.mode == "practice"
    transcript = reports.attempt_transcript(store, attempt.attempt_id).replies
    assert [r.turn_index for r in transcript] == list(range(len(play.turns)))
    assert all(r.final and r.score >= play.pass_mark for r in transcript)
    assert attempt.rubric_version


def test_poor_play_makes_the_customer_walk_out(stack):
    sender = "A-bad-" + uuid.uuid4().hex[:6]
    play = scenario(SCENARIO)
    start(stack, sender)
    said = []
    for _ in range(play.patience):
        said.append(texts(stack.send(sender, POOR_REPLY)))
    assert "✘ 未达标" in said[0]
    assert any(line in said[0] for line in play.turns[0].pushback)
    last = said[-1]
    assert any(line in last for line in play.ending.walkout)
    assert "✘ 未通过" in last and "顾客离开" in last

    (attempt,) = reports.trainee_attempts(records(stack), sender)
    assert attempt.status == "walked_out" and not attempt.passed
    replies = reports.attempt_transcript(records(stack), attempt.attempt_id).replies
    assert len(replies) == play.patience
    assert [r.try_index for r in replies] == list(range(play.patience))


def test_hint_costs_points_and_commands_are_not_scored(stack):
    sender = "A-hint-" + uuid.uuid4().hex[:6]
    play = scenario(SCENARIO)
    start(stack, sender)
    hint = texts(stack.send(sender, "提示"))
    assert "提示(本轮扣10分)" in hint and "统一定价" in hint
    answer = texts(stack.send(sender, good_reply(play.turns[0].situation)))
    assert "用了提示 -10" in answer
    stopped = texts(stack.send(sender, "/stop_practice"))
    assert "本次练习已结束" in stopped and "【练习报告】" in stopped
    (attempt,) = reports.trainee_attempts(records(stack), sender)
    assert attempt.status == "stopped"
    (reply,) = reports.attempt_transcript(records(stack), attempt.attempt_id).replies
    assert reply.hint_used and reply.reply == good_reply(play.turns[0].situation)


def test_restart_begins_a_new_attempt(stack):
    sender = "A-again-" + uuid.uuid4().hex[:6]
    start(stack, sender)
    stack.send(sender, POOR_REPLY)
    again = texts(stack.send(sender, "/restart_practice"))
    assert "从头再来" in again
    attempts = reports.trainee_attempts(records(stack), sender)
    assert sorted(a.status for a in attempts) == ["in_progress", "stopped"]


def test_exam_has_no_hints_and_no_feedback_until_the_report(stack):
    sender = "A-exam-" + uuid.uuid4().hex[:6]
    play = scenario(SCENARIO)
    opening = texts(start(stack, sender, intent="start_exam"))
    assert "考试" in opening and play.turns[0].lines[0] in opening
    assert "不能使用提示" in texts(stack.send(sender, "/request_hint"))
    for index, turn in enumerate(play.turns):
        answer = texts(stack.send(sender, good_reply(turn.situation, turn.context)))
        assert not re.search(r"得分 \d+/100", answer)  # no per-turn feedback card
        if index + 1 < len(play.turns):
            assert play.turns[index + 1].lines[0] in answer
    assert "【考试报告】" in answer and "✔ 通过" in answer


def test_assigned_exam_is_listed_and_fulfilled(stack):
    sender = "A-assigned-" + uuid.uuid4().hex[:6]
    store = records(stack)
    store.assign_exam(SCENARIO, [sender], due_at=_days_ago(1), assigned_by="trainer")
    listing = stack.send(sender, "/my_assignments")
    assert "已逾期" in texts(listing)
    payloads = [b["payload"] for m in listing for b in m.get("buttons", [])]
    assert payloads == ['/start_exam{"scenario_id": "bargain_sofa"}']
    stack.send(sender, payloads[0])
    for turn in scenario(SCENARIO).turns:
        stack.send(sender, good_reply(turn.situation, turn.context))
    assert "已完成" in texts(stack.send(sender, "/my_assignments"))


def test_my_results_after_practising(stack):
    sender = "A-results-" + uuid.uuid4().hex[:6]
    assert "还没有练习记录" in texts(stack.send(sender, "/my_results"))
    start(stack, sender)
    for turn in scenario(SCENARIO).turns:
        stack.send(sender, good_reply(turn.situation, turn.context))
    results = texts(stack.send(sender, "我的成绩"))
    assert "【我的成绩】" in results and scenario(SCENARIO).title in results


def test_action_server_restart_mid_scenario_loses_nothing(stack):
    sender = "A-restart-" + uuid.uuid4().hex[:6]
    play = scenario(SCENARIO)
    start(stack, sender)
    stack.send(sender, good_reply(play.turns[0].situation, play.turns[0].context))
    stack.restart_actions()
    answer = texts(
        stack.send(sender, good_reply(play.turns[1].situation, play.turns[1].context))
    )
    assert "得分" in answer
    (attempt,) = reports.trainee_attempts(records(stack), sender)
    replies = reports.attempt_transcript(records(stack), attempt.attempt_id).replies
    assert [r.turn_index for r in replies] == [0, 1]


def _days_ago(days):
    from datetime import datetime, timedelta, timezone

    return datetime.now(timezone.utc) - timedelta(days=days)
