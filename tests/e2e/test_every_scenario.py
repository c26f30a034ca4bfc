"""Every shipped scenario can be played to the end from the menu, and survives a Rasa restart."""

import json
import uuid

import pytest

from actions.records import Records, reports
from actions.scenarios import load_scenarios
from tests.e2e.play import good_reply, scenario, texts

SCENARIO_IDS = sorted(load_scenarios().scenarios)


@pytest.mark.parametrize("scenario_id", SCENARIO_IDS)
def test_scenario_played_well_passes(stack, scenario_id):
    sender = f"every-{scenario_id}-{uuid.uuid4().hex[:4]}"
    play = scenario(scenario_id)
    menu = stack.send(sender, "我想练习一下")
    payload = (
        f'/start_practice{json.dumps({"scenario_id": scenario_id}, ensure_ascii=False)}'
    )
    assert payload in [b["payload"] for m in menu for b in m.get("buttons", [])]
    stack.send(sender, payload)
    for turn in play.turns:
        answer = texts(stack.send(sender, good_reply(turn.situation, turn.context)))
        assert "✔ 达标" in answer, (turn.situation, answer)
    assert "【练习报告】" in answer and "✔ 通过" in answer
    (attempt,) = reports.trainee_attempts(Records(stack.records_url), sender)
    assert attempt.status == "completed" and attempt.passed


def test_rasa_server_restart_resumes_the_attempt(stack):
    sender = "resume-" + uuid.uuid4().hex[:6]
    play = scenario("bargain_sofa")
    stack.send(sender, '/start_practice{"scenario_id":"bargain_sofa"}')
    stack.send(sender, good_reply(play.turns[0].situation, play.turns[0].context))
    stack.restart_rasa()
    # The tracker store kept the form and the practice state: the next reply scores turn 2.
    answer = texts(
        stack.send(sender, good_reply(play.turns[1].situation, play.turns[1].context))
    )
    assert "得分" in answer
    (attempt,) = reports.trainee_attempts(Records(stack.records_url), sender)
    turns = [
        r.turn_index
        for r in reports.attempt_transcript(
            Records(stack.records_url), attempt.attempt_id
        ).replies
    ]
    assert turns == [0, 1] and attempt.status == "in_progress"
