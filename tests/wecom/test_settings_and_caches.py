"""Settings from env/credentials, the TTL de-duplicator and the Rasa credentials hook."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

import pytest
from rasa.core.run import create_http_input_channels

from channels.wecom.connector import WeComInput
from channels.wecom.dedupe import Deduplicator, TtlCache
from channels.wecom.messages import IncomingMessage
from channels.wecom.settings import DEFAULT_API_BASE, WeComSettings

AES_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
FULL_ENV = {
    "WECOM_CORP_ID": "ww_env",
    "WECOM_AGENT_ID": "1000002",
    "WECOM_SECRET": "env-secret",
    "WECOM_TOKEN": "env-token",
    "WECOM_AES_KEY": AES_KEY,
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_settings_come_from_env_with_default_api_base() -> None:
    settings = WeComSettings.from_sources(None, FULL_ENV)
    assert settings.corp_id == "ww_env" and settings.secret == "env-secret"
    assert settings.api_base == DEFAULT_API_BASE
    assert settings.is_configured


def test_credentials_override_env_but_empty_values_do_not() -> None:
    settings = WeComSettings.from_sources(
        {"corp_id": "ww_yml", "secret": "", "agent_id": 1000005, "token": None},
        {**FULL_ENV, "WECOM_API_BASE": "http://127.0.0.1:9/"},
    )
    assert settings.corp_id == "ww_yml"
    assert settings.agent_id == "1000005"
    assert settings.secret == "env-secret"
    assert settings.token == "env-token"
    assert settings.api_base == "http://127.0.0.1:9"


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"WECOM_CORP_ID": ""}, "missing WECOM_CORP_ID"),
        ({"WECOM_SECRET": ""}, "missing WECOM_SECRET"),
        ({"WECOM_AGENT_ID": "abc"}, "numeric AgentId"),
        ({"WECOM_AES_KEY": AES_KEY[:-1]}, "43-character EncodingAESKey"),
        ({"WECOM_AES_KEY": "!" * 43}, "43-character EncodingAESKey"),
        ({"WECOM_API_BASE": "ftp://x"}, "WECOM_API_BASE"),
    ],
)
def test_settings_problems_are_reported(change: Dict[str, str], problem: str) -> None:
    settings = WeComSettings.from_sources(None, {**FULL_ENV, **change})
    assert not settings.is_configured
    assert any(problem in text for text in settings.problems())


@pytest.mark.parametrize("yaml_value", ["", " null", " {}"])
def test_rasa_loads_channel_from_credentials_without_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, yaml_value: str
) -> None:
    for name in [*FULL_ENV, "WECOM_API_BASE"]:
        monkeypatch.delenv(name, raising=False)
    credentials = tmp_path / "credentials.yml"
    credentials.write_text(f"rest:\nchannels.wecom.WeComInput:{yaml_value}\n")
    channels = create_http_input_channels(None, str(credentials))
    wecom = [channel for channel in channels if isinstance(channel, WeComInput)]
    assert len(wecom) == 1
    assert wecom[0].name() == "wecom"
    assert "missing WECOM_CORP_ID" in wecom[0].problems


def test_rasa_channel_uses_env_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FULL_ENV.items():
        monkeypatch.setenv(name, value)
    channel = WeComInput.from_credentials({"secret": "yml-secret"})
    assert channel.problems == []
    assert channel.settings.secret == "yml-secret"
    assert channel.settings.corp_id == "ww_env"


def _message(msg_id: Optional[str], create_time: str = "1", **kwargs: Any):
    return IncomingMessage(
        from_user="zhangsan",
        msg_type="event" if msg_id is None else "text",
        create_time=create_time,
        msg_id=msg_id,
        **kwargs,
    )


def test_deduplicator_accepts_each_key_once_within_ttl() -> None:
    clock = FakeClock()
    dedupe = Deduplicator(ttl_seconds=60, clock=clock)
    key = _message("123").dedupe_key
    assert [dedupe.first_time(key) for _ in range(4)] == [True, False, False, False]
    clock.now += 61
    assert dedupe.first_time(key)


def test_events_without_msg_id_dedupe_by_sender_and_time() -> None:
    dedupe = Deduplicator()
    enter = _message(None, "100", event="enter_agent")
    assert dedupe.first_time(enter.dedupe_key)
    assert not dedupe.first_time(_message(None, "100", event="enter_agent").dedupe_key)
    assert dedupe.first_time(_message(None, "101", event="enter_agent").dedupe_key)


def test_ttl_cache_is_bounded_and_drops_oldest() -> None:
    cache: TtlCache[int] = TtlCache(ttl_seconds=60, max_entries=3)
    for number in range(5):
        cache.set(f"k{number}", number)
    assert len(cache) == 3
    assert cache.get("k0") is None and cache.get("k1") is None
    assert cache.get("k4") == 4


def test_ttl_cache_entries_expire() -> None:
    clock = FakeClock()
    cache: TtlCache[str] = TtlCache(ttl_seconds=10, clock=clock)
    cache.set("menu", "a")
    clock.now += 5
    cache.set("other", "b")
    clock.now += 6
    assert cache.get("menu") is None
    assert cache.get("other") == "b"
