"""Trainee tokens, the server secret, frame-ancestors and the replay of a running practice."""

from __future__ import annotations

import os
import stat

import pytest
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    UserUttered,
)

from channels.web.conversation import current_practice
from channels.web.identity import (
    InvalidIdentityError,
    bearer_token,
    issue_token,
    load_secret,
    normalise_staff_no,
    verify_token,
)
from channels.web.security import frame_ancestors


@pytest.mark.parametrize(
    "raw, expected", [("a001", "A001"), (" 9527 ", "9527"), ("zh-01_b", "ZH-01_B")]
)
def test_staff_numbers_are_case_insensitive(raw, expected):
    assert normalise_staff_no(raw) == expected


@pytest.mark.parametrize("raw", ["", "A 1", "A.1", "<script>", "工号1", "-A1", "A" * 33])
def test_staff_numbers_outside_the_safe_alphabet_are_refused(raw):
    with pytest.raises(InvalidIdentityError):
        normalise_staff_no(raw)


def test_token_round_trip_and_tampering():
    token = issue_token("a001", b"s1")
    assert token.startswith("A001.")
    assert verify_token(token, b"s1") == "A001"
    assert verify_token(token.lower(), b"s1") is None
    assert verify_token(token, b"s2") is None
    assert verify_token("B002." + token.split(".")[1], b"s1") is None
    for broken in (None, 42, "", "A001", "A001..x", token + "x"):
        assert verify_token(broken, b"s1") is None


@pytest.mark.parametrize(
    "header, token",
    [
        ("Bearer abc.def", "abc.def"),
        ("bearer  abc ", "abc"),
        ("Basic abc", None),
        ("", None),
        (None, None),
    ],
)
def test_bearer_token(header, token):
    assert bearer_token(header) == token


def test_secret_from_env_wins(tmp_path):
    path = tmp_path / "web_secret"
    assert load_secret({"WEB_SECRET": " from-env "}, path) == b"from-env"
    assert not path.exists()


def test_secret_is_generated_once_and_kept_private(tmp_path):
    path = tmp_path / "var" / "web_secret"
    first = load_secret({}, path)
    assert len(first) >= 32
    assert load_secret({}, path) == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.parametrize(
    "env, credentials, expected",
    [
        ({}, {}, "'self'"),
        ({}, {"frame_ancestors": "https://lms.example.com"}, "https://lms.example.com"),
        (
            {"WEB_FRAME_ANCESTORS": "'self' https://*.corp.cn"},
            {"frame_ancestors": "'none'"},
            "'self' https://*.corp.cn",
        ),
    ],
)
def test_frame_ancestors_setting(env, credentials, expected):
    assert frame_ancestors(credentials, env) == expected


@pytest.mark.parametrize(
    "bad",
    ["*", "javascript:alert(1)", "https://a.com; script-src *", "'unsafe-inline'"],
)
def test_frame_ancestors_refuses_what_would_break_the_policy(bad):
    with pytest.raises(ValueError):
        frame_ancestors({}, {"WEB_FRAME_ANCESTORS": bad})


def bot(text, custom=None, buttons=None):
    return BotUttered(text, {"custom": custom, "buttons": buttons})


def test_replay_starts_at_the_latest_practice_and_keeps_cards():
    events = [
        SessionStarted(),
        UserUttered("/start_practice"),
        bot("上一次的介绍", {"type": "intro", "title": "旧场景"}),
        UserUttered("旧回答"),
        SessionStarted(),
        UserUttered('/start_practice{"scenario_id": "bargain_sofa"}'),
        ActionExecuted("action_start_practice"),
        bot("【练习】沙发", {"type": "intro", "title": "沙发"}),
        bot(
            "王姐:能便宜点吗?",
            {"type": "customer", "line": "能便宜点吗?"},
            [{"title": "提示", "payload": "/request_hint"}],
        ),
        UserUttered("<img src=x onerror=alert(1)>"),
        bot("得分 20/100", {"type": "feedback", "score": 20}),
    ]
    messages = current_practice(events)
    assert [m.get("custom", {}).get("type") or m["text"] for m in messages] == [
        "intro",
        "customer",
        "<img src=x onerror=alert(1)>",
        "feedback",
    ]
    assert messages[1]["quick_replies"] == [{"title": "提示", "payload": "/request_hint"}]
    assert messages[2] == {"from": "user", "text": "<img src=x onerror=alert(1)>"}
