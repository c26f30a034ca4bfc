"""The connector's routes over real HTTP, with a stub Rasa and the fake WeCom API."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Dict, List

import aiohttp
import pytest

from channels.wecom.connector import ENTER_AGENT_TEXT, TURN_FAILED_TEXT, WeComInput
from channels.wecom.render import BUTTONS_HEADER, MAX_TEXT_BYTES
from channels.wecom.settings import WeComSettings

from .conftest import WeComClient
from .encrypt import CallbackEncrypter, cdata, signature, text_message_xml
from .fake_api import FakeWeComApi
from .harness import StubRasa, serve_blueprint

USER = "ChenJiaShun"
MENU = [
    {"title": "练习：顾客要求降价", "payload": '/start_practice{"scenario_id":"bargain_1"}'},
    {"title": "考试：顾客投诉", "payload": '/start_exam{"scenario_id":"complaint_1"}'},
]


async def _settle(channel: WeComInput) -> None:
    await asyncio.wait_for(channel.wait_idle(), timeout=10)


async def test_health(wecom: WeComClient) -> None:
    async with wecom.http.get(wecom.health_url) as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok"}


async def test_official_url_verification_answers_bare_plaintext_fast(
    wecom: WeComClient, vectors: Dict[str, Any]
) -> None:
    case = vectors["url_verification"]
    params = {key: case[key] for key in ("msg_signature", "timestamp", "nonce")}
    started = time.perf_counter()
    response = await wecom.get({**params, "echostr": case["echostr"]})
    elapsed = time.perf_counter() - started
    assert response.status == 200
    assert await response.text() == case["plaintext"]
    assert elapsed < 1.0


async def test_url_verification_with_own_echostr(
    wecom: WeComClient, encrypter: CallbackEncrypter
) -> None:
    response = await wecom.get(encrypter.url_verification("8373520917743629"))
    assert response.status == 200
    assert await response.text() == "8373520917743629"


async def test_official_message_vector_is_answered_empty_and_replied(
    wecom: WeComClient,
    vectors: Dict[str, Any],
    channel: WeComInput,
    stub_rasa: StubRasa,
    fake_api: FakeWeComApi,
) -> None:
    case = vectors["message"]
    params = {key: case[key] for key in ("msg_signature", "timestamp", "nonce")}
    async with wecom.http.post(
        wecom.webhook_url, params=params, data=case["body"].encode()
    ) as response:
        assert response.status == 200
        assert await response.text() == ""
    await _settle(channel)
    [message] = stub_rasa.received
    assert (message.sender_id, message.text) == (USER, "你好")
    assert message.input_channel == "wecom"
    assert message.metadata["wecom"]["msg_id"] == "1456453720"
    assert fake_api.contents_to(USER) == ["收到：你好"]


async def test_callback_is_acknowledged_before_the_turn_finishes(
    wecom: WeComClient, channel: WeComInput, stub_rasa: StubRasa, fake_api: FakeWeComApi
) -> None:
    stub_rasa.gate = asyncio.Event()  # Rasa "thinks" until released
    started = time.perf_counter()
    response = await wecom.send_text(USER, "您好，欢迎光临", msg_id="1001")
    assert response.status == 200
    assert time.perf_counter() - started < 1.0
    await asyncio.sleep(0.05)
    assert stub_rasa.texts == ["您好，欢迎光临"]
    assert fake_api.sent == []
    stub_rasa.gate.set()
    await _settle(channel)
    assert fake_api.contents_to(USER) == ["收到：您好，欢迎光临"]


async def test_callback_retried_three_times_is_processed_once(
    wecom: WeComClient, channel: WeComInput, stub_rasa: StubRasa, fake_api: FakeWeComApi
) -> None:
    stub_rasa.gate = asyncio.Event()
    callback = wecom.encrypter.text_callback(USER, "一共3860元", msg_id="2002")
    statuses = [(await wecom.post(callback)).status for _ in range(4)]
    stub_rasa.gate.set()
    await _settle(channel)
    late_retry = await wecom.post(callback)
    await _settle(channel)
    assert statuses == [200, 200, 200, 200] and late_retry.status == 200
    assert stub_rasa.texts == ["一共3860元"]
    assert fake_api.contents_to(USER) == ["收到：一共3860元"]


async def test_same_text_with_new_msg_id_is_a_new_turn(
    wecom: WeComClient, channel: WeComInput, stub_rasa: StubRasa
) -> None:
    await wecom.send_text(USER, "好的", msg_id="1")
    await wecom.send_text(USER, "好的", msg_id="2")
    await _settle(channel)
    assert stub_rasa.texts == ["好的", "好的"]


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_forged_signature_is_refused(
    wecom: WeComClient,
    encrypter: CallbackEncrypter,
    channel: WeComInput,
    stub_rasa: StubRasa,
    fake_api: FakeWeComApi,
    method: str,
) -> None:
    if method == "GET":
        params = encrypter.url_verification("123")
        response = await wecom.get({**params, "msg_signature": "f" * 40})
    else:
        callback = encrypter.text_callback(USER, "你好", msg_id="3003")
        forged = type(callback)({**callback.params, "nonce": "999"}, callback.body)
        response = await wecom.post(forged)
    assert response.status == 403
    await _settle(channel)
    assert stub_rasa.received == [] and fake_api.sent == []


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_other_corp_id_is_refused(
    wecom: WeComClient,
    encrypter: CallbackEncrypter,
    channel: WeComInput,
    stub_rasa: StubRasa,
    method: str,
) -> None:
    if method == "GET":
        response = await wecom.get(
            encrypter.url_verification("123", receive_id="ww_someone_else")
        )
    else:
        callback = encrypter.callback(
            text_message_xml("ww_someone_else", USER, "你好", "4004"),
            receive_id="ww_someone_else",
        )
        response = await wecom.post(callback)
    assert response.status == 403
    await _settle(channel)
    assert stub_rasa.received == []


def _signed_post(token: str, encrypted: str) -> Dict[str, str]:
    return {
        "msg_signature": signature(token, "1700000000", "42", encrypted),
        "timestamp": "1700000000",
        "nonce": "42",
    }


@pytest.mark.parametrize(
    "case",
    [
        "empty body",
        "not xml",
        "no Encrypt",
        "entity bomb",
        "signed garbage ciphertext",
        "signed ciphertext of non-XML",
        "inner XML without sender",
        "missing msg_signature",
    ],
)
async def test_malformed_callbacks_get_400(
    wecom: WeComClient,
    encrypter: CallbackEncrypter,
    vectors: Dict[str, Any],
    channel: WeComInput,
    stub_rasa: StubRasa,
    case: str,
) -> None:
    token = vectors["token"]
    valid = encrypter.text_callback(USER, "你好", msg_id="5005")
    params, body = dict(valid.params), valid.body
    if case == "empty body":
        body = ""
    elif case == "not xml":
        body = "definitely { not xml"
    elif case == "no Encrypt":
        body = "<xml><ToUserName>x</ToUserName></xml>"
    elif case == "entity bomb":
        body = (
            '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            "<xml><Encrypt>&b;</Encrypt></xml>"
        )
    elif case == "signed garbage ciphertext":
        body = f"<xml><Encrypt>{cdata('bm90IGEgYmxvY2s=')}</Encrypt></xml>"
        params = _signed_post(token, "bm90IGEgYmxvY2s=")
    elif case == "signed ciphertext of non-XML":
        callback = encrypter.callback("this is not xml <")
        params, body = dict(callback.params), callback.body
    elif case == "inner XML without sender":
        callback = encrypter.callback("<xml><MsgType>text</MsgType></xml>")
        params, body = dict(callback.params), callback.body
    elif case == "missing msg_signature":
        del params["msg_signature"]
    async with wecom.http.post(
        wecom.webhook_url, params=params, data=body.encode()
    ) as response:
        assert response.status == 400
    await _settle(channel)
    assert stub_rasa.received == []


async def test_url_verification_without_echostr_is_400(
    wecom: WeComClient, encrypter: CallbackEncrypter
) -> None:
    params = encrypter.url_verification("1")
    del params["echostr"]
    assert (await wecom.get(params)).status == 400


async def test_expired_token_is_refreshed_and_send_retried_once(
    wecom: WeComClient, channel: WeComInput, fake_api: FakeWeComApi
) -> None:
    await wecom.send_text(USER, "第一句", msg_id="6001")
    await _settle(channel)
    fake_api.expire_tokens()
    await wecom.send_text(USER, "第二句", msg_id="6002")
    await _settle(channel)
    assert fake_api.contents_to(USER) == ["收到：第一句", "收到：第二句"]
    assert fake_api.token_fetches == 2
    assert len(fake_api.send_attempts) == 3


async def test_other_errcode_is_logged_and_not_retried_forever(
    wecom: WeComClient,
    channel: WeComInput,
    fake_api: FakeWeComApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_api.fail_next_sends(60020)
    with caplog.at_level(logging.ERROR, logger="channels.wecom.connector"):
        await wecom.send_text(USER, "在吗", msg_id="7001")
        await _settle(channel)
    assert len(fake_api.send_attempts) == 1
    assert fake_api.sent == []
    assert "errcode=60020" in caplog.text and "企业可信IP" in caplog.text
    # the channel keeps working for the next message
    await wecom.send_text(USER, "在吗？", msg_id="7002")
    await _settle(channel)
    assert fake_api.contents_to(USER) == ["收到：在吗？"]


async def test_one_turn_is_one_message(
    wecom: WeComClient, channel: WeComInput, stub_rasa: StubRasa, fake_api: FakeWeComApi
) -> None:
    stub_rasa.responder = lambda message: [
        {"text": "**您好**！欢迎光临。"},
        {"text": "这款沙发是新品。\n\n要不要试坐一下？"},
    ]
    await wecom.send_text(USER, "随便看看", msg_id="8001")
    await _settle(channel)
    assert fake_api.contents_to(USER) == ["您好！欢迎光临。\n\n这款沙发是新品。\n\n要不要试坐一下？"]


async def test_reply_over_2048_bytes_is_split_at_paragraphs(
    wecom: WeComClient, channel: WeComInput, stub_rasa: StubRasa, fake_api: FakeWeComApi
) -> None:
    # four paragraphs of about 1.8 KB each: no two fit in one message
    paragraphs = [f"第{number}段：" + "统一定价，质量保证。" * 60 for number in range(4)]
    stub_rasa.responder = lambda message: [{"text": text} for text in paragraphs]
    await wecom.send_text(USER, "讲讲规则", msg_id="9001")
    await _settle(channel)
    assert fake_api.contents_to(USER) == paragraphs


async def test_one_huge_line_is_split_between_characters(
    wecom: WeComClient, channel: WeComInput, stub_rasa: StubRasa, fake_api: FakeWeComApi
) -> None:
    huge = "顾客永远是对的😀" * 300  # 7 500 bytes, no line break to split at
    stub_rasa.responder = lambda message: [{"text": huge}]
    await wecom.send_text(USER, "讲讲规则", msg_id="9002")
    await _settle(channel)
    sent = fake_api.contents_to(USER)
    assert len(sent) == 4
    assert all(len(content.encode("utf-8")) <= MAX_TEXT_BYTES for content in sent)
    assert "".join(sent) == huge


async def test_buttons_are_numbered_and_a_number_maps_to_the_payload(
    wecom: WeComClient, channel: WeComInput, stub_rasa: StubRasa, fake_api: FakeWeComApi
) -> None:
    def responder(message) -> List[Dict[str, Any]]:
        if message.text == "/help":
            return [{"text": "请选择练习：", "buttons": MENU}]
        return [{"text": f"收到：{message.text}"}]

    stub_rasa.responder = responder
    await wecom.send_text(USER, "/help", msg_id="10001")
    await _settle(channel)
    assert fake_api.contents_to(USER) == [
        f"请选择练习：\n\n{BUTTONS_HEADER}\n1. 练习：顾客要求降价\n2. 考试：顾客投诉"
    ]
    await wecom.send_text(USER, "２.", msg_id="10002")
    await _settle(channel)
    assert stub_rasa.texts[-1] == MENU[1]["payload"]
    # the menu was answered; a later "2" is just text
    await wecom.send_text(USER, "2", msg_id="10003")
    await _settle(channel)
    assert stub_rasa.texts[-1] == "2"


async def test_menus_are_per_user(
    wecom: WeComClient, channel: WeComInput, stub_rasa: StubRasa
) -> None:
    stub_rasa.responder = lambda message: [{"text": "选：", "buttons": MENU}]
    await wecom.send_text("lisi", "/help", msg_id="11001")
    await _settle(channel)
    await wecom.send_text("wangwu", "1", msg_id="11002")
    await wecom.send_text("lisi", "1", msg_id="11003")
    await _settle(channel)
    by_user = {message.sender_id: message.text for message in stub_rasa.received[1:]}
    assert by_user == {"wangwu": "1", "lisi": MENU[0]["payload"]}


async def test_concurrent_turns_share_one_token_fetch(
    wecom: WeComClient, channel: WeComInput, fake_api: FakeWeComApi
) -> None:
    fake_api.gettoken_delay_seconds = 0.2
    await asyncio.gather(
        *(
            wecom.send_text(f"trainee{number}", "您好", msg_id=f"12{number:03d}")
            for number in range(8)
        )
    )
    await _settle(channel)
    assert fake_api.token_fetches == 1
    assert sorted(message.touser for message in fake_api.sent) == sorted(
        f"trainee{number}" for number in range(8)
    )


async def test_turns_of_one_user_keep_their_order(
    wecom: WeComClient, channel: WeComInput, stub_rasa: StubRasa, fake_api: FakeWeComApi
) -> None:
    stub_rasa.gate = asyncio.Event()
    for number in range(3):
        await wecom.send_text(USER, f"第{number}句", msg_id=f"13{number}")
    await asyncio.sleep(0.05)
    assert stub_rasa.texts == ["第0句"]  # the others wait for the first turn
    stub_rasa.gate.set()
    await _settle(channel)
    assert fake_api.contents_to(USER) == ["收到：第0句", "收到：第1句", "收到：第2句"]


async def test_enter_agent_asks_rasa_for_welcome_once(
    wecom: WeComClient, channel: WeComInput, stub_rasa: StubRasa, fake_api: FakeWeComApi
) -> None:
    callback = wecom.encrypter.enter_agent_callback(USER, create_time=1_700_000_123)
    for _ in range(2):
        assert (await wecom.post(callback)).status == 200
    await _settle(channel)
    assert [(m.sender_id, m.text) for m in stub_rasa.received] == [
        (USER, ENTER_AGENT_TEXT)
    ]
    assert fake_api.contents_to(USER) == [f"收到：{ENTER_AGENT_TEXT}"]


async def test_non_text_message_gets_a_polite_note_without_rasa(
    wecom: WeComClient, channel: WeComInput, stub_rasa: StubRasa, fake_api: FakeWeComApi
) -> None:
    image_xml = (
        f"<xml><ToUserName>{cdata('ww1436e0e65a779aee')}</ToUserName>"
        f"<FromUserName>{cdata(USER)}</FromUserName><CreateTime>1700000000</CreateTime>"
        f"<MsgType>{cdata('image')}</MsgType><PicUrl>{cdata('http://x/1.jpg')}</PicUrl>"
        "<MsgId>14001</MsgId><AgentID>1000002</AgentID></xml>"
    )
    assert (await wecom.post(wecom.encrypter.callback(image_xml))).status == 200
    await _settle(channel)
    assert stub_rasa.received == []
    assert len(fake_api.contents_to(USER)) == 1
    assert "文字" in fake_api.contents_to(USER)[0]


async def test_failed_rasa_turn_sends_an_apology(
    wecom: WeComClient, channel: WeComInput, stub_rasa: StubRasa, fake_api: FakeWeComApi
) -> None:
    def broken(message) -> List[Dict[str, Any]]:
        raise RuntimeError("action server down")

    stub_rasa.responder = broken
    assert (await wecom.send_text(USER, "你好", msg_id="15001")).status == 200
    await _settle(channel)
    assert fake_api.contents_to(USER) == [TURN_FAILED_TEXT]


@pytest.mark.parametrize(
    "method, path", [("GET", "/"), ("GET", "/webhook"), ("POST", "/webhook")]
)
async def test_unconfigured_channel_answers_503(
    stub_rasa: StubRasa, method: str, path: str
) -> None:
    channel = WeComInput(WeComSettings.from_sources(None, environ={}))
    async with serve_blueprint(channel.blueprint(stub_rasa)) as base_url:
        async with aiohttp.ClientSession() as http:
            url = f"{base_url}/webhooks/wecom{path}"
            async with http.request(method, url, data=b"<xml/>") as response:
                assert response.status == 503
                text = await response.text()
    assert "企业微信通道尚未配置" in text and "WECOM_CORP_ID" in text
    assert "not configured" in text
