"""Reference mode and bad input through the real REST channel (issue 2)."""

import json
import re

import pytest


def texts(messages):
    return "\n".join(m.get("text", "") for m in messages)


def test_bargaining_line_gets_the_fixed_price_wording(stack):
    reply = texts(stack.send("ref-bargain", "能不能再便宜点啊,打个八折我就买了"))
    assert "统一定价" in reply
    assert "2.[4](1)" in reply
    assert "讨价还价" in reply or "降价" in reply


@pytest.mark.parametrize(
    "line, expected",
    [
        ("隔壁那家一模一样的沙发才卖两千八", "内在质量"),
        ("有没有索菲亚的衣柜", "比较"),
        ("我买来送人的,帮我包好看一点", "礼品袋"),
    ],
)
def test_reference_answers_cite_the_manual(stack, line, expected):
    reply = texts(stack.send("ref-" + expected, line))
    assert expected in reply
    assert "【手册出处】" in reply


@pytest.mark.parametrize(
    "message, status, code",
    [
        ("", 400, "empty_message"),
        ("   ", 400, "empty_message"),
        ("便宜点" * 6700, 413, "message_too_long"),  # ~20,000 characters
        ("😀😀🙏🔥", 200, None),
        ("<script>alert('x')</script><img src=x onerror=alert(1)>", 200, None),
        ("能便宜點嗎?隔壁賣得比你們便宜!!", 200, None),
        ("ＨＥＬＬＯ，你们这沙发多少钱？？", 200, None),
    ],
    ids=["empty", "blank", "20k", "emoji", "html", "traditional", "fullwidth"],
)
def test_bad_input_gets_a_clear_answer(stack, message, status, code):
    got, body = stack.post(
        "/webhooks/rest/webhook", {"sender": "bad-input", "message": message}
    )
    assert got == status, body[:200]
    answer = json.loads(body)
    if code:
        # A clear error in Chinese, never a server error.
        assert answer["error"] == code and re.search(
            r"[\u4e00-\u9fff]", answer["message"]
        )
    else:
        assert answer and any(m.get("text") for m in answer)
    # The server stays up and keeps answering afterwards.
    assert "统一定价" in texts(stack.send("bad-input-after", "能少点吗"))


def test_malformed_json_is_refused_without_a_server_error(stack):
    status, _ = stack.post("/webhooks/rest/webhook", None, raw=b"{not json")
    assert 400 <= status < 500
    assert stack.send("after-malformed", "你好")


def test_low_confidence_offers_customer_types_as_buttons(stack):
    # The intent payload forces the fallback path that a low-confidence parse takes.
    messages = stack.send("ref-unsure", "/nlu_fallback")
    buttons = [b for m in messages for b in m.get("buttons", [])]
    assert "不太确定" in texts(messages)
    assert len(buttons) == 16
    assert {"/bargain", "/compare_price", "/complain"} <= {
        b["payload"] for b in buttons
    }
