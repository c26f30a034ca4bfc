"""Plain-text rendering, numbered buttons and UTF-8 byte splitting."""

from __future__ import annotations

import random
from typing import List

import pytest

from channels.wecom.render import (
    BUTTONS_HEADER,
    MAX_TEXT_BYTES,
    button_choice,
    render_turn,
    split_for_wecom,
    split_utf8,
    strip_markdown,
)

BUTTONS = [
    {"title": "练习：降价要求", "payload": '/start_practice{"scenario_id":"bargain_1"}'},
    {"title": "考试：投诉处理", "payload": '/start_exam{"scenario_id":"complaint_1"}'},
    {"title": "查看帮助", "payload": "/help"},
]


def _byte_len(text: str) -> int:
    return len(text.encode("utf-8"))


@pytest.mark.parametrize(
    "markdown, plain",
    [
        ("**统一定价**，不议价", "统一定价，不议价"),
        ("__重点__：先问候", "重点：先问候"),
        ("# 标题\n正文", "标题\n正文"),
        ("### 三级标题", "三级标题"),
        ("用 `唱收唱付` 的方式", "用 唱收唱付 的方式"),
        ("*斜体* 和 3 * 4 = 12", "斜体 和 3 * 4 = 12"),
        ("见[服务手册](https://example.com/m)", "见服务手册 https://example.com/m"),
        ("价格是 #1 热销", "价格是 #1 热销"),
    ],
)
def test_strip_markdown(markdown: str, plain: str) -> None:
    assert strip_markdown(markdown) == plain


def test_turn_is_one_text_with_numbered_buttons() -> None:
    turn = render_turn(
        [
            {"recipient_id": "u", "text": "**欢迎**来到导购陪练"},
            {"recipient_id": "u", "text": "请选择：", "buttons": BUTTONS},
        ]
    )
    assert turn.text == (
        "欢迎来到导购陪练\n\n请选择：\n\n" f"{BUTTONS_HEADER}\n1. 练习：降价要求\n2. 考试：投诉处理\n3. 查看帮助"
    )
    assert turn.buttons == BUTTONS


def test_buttons_are_numbered_across_messages_of_a_turn() -> None:
    turn = render_turn(
        [
            {"text": "A", "buttons": BUTTONS[:2]},
            {"text": "B", "buttons": BUTTONS[2:]},
        ]
    )
    assert "1. 练习：降价要求" in turn.text and "3. 查看帮助" in turn.text
    assert button_choice("3", turn.buttons) == "/help"


def test_images_and_custom_text_become_lines() -> None:
    turn = render_turn(
        [{"image": "https://img.example/1.png"}, {"custom": {"text": "**提示**"}}]
    )
    assert turn.text == "https://img.example/1.png\n\n提示"
    assert turn.buttons == []


@pytest.mark.parametrize(
    "reply, payload_index",
    [
        ("1", 0),
        ("2", 1),
        (" 2 ", 1),
        ("２", 1),
        ("2.", 1),
        ("2。", 1),
        ("2、", 1),
        ("３）", 2),
        ("3", 2),
        ("0", None),
        ("4", None),
        ("12", None),
        ("2块钱", None),
        ("一", None),
        ("", None),
    ],
)
def test_number_reply_maps_to_button_payload(reply: str, payload_index) -> None:
    expected = None if payload_index is None else BUTTONS[payload_index]["payload"]
    assert button_choice(reply, BUTTONS) == expected


def test_number_reply_without_menu_is_not_a_choice() -> None:
    assert button_choice("1", []) is None


def test_button_without_payload_maps_to_title() -> None:
    assert button_choice("1", [{"title": "好的"}]) == "好的"


def _assert_valid_split(text: str, chunks: List[str], max_bytes: int) -> None:
    assert "".join(chunks) == text
    assert all(0 < _byte_len(chunk) <= max_bytes for chunk in chunks)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "短消息",
        "a" * MAX_TEXT_BYTES,
        "a" * (MAX_TEXT_BYTES + 1),
        "统" * 682 + "a",  # 2047 bytes: fits
        "统" * 683,  # 2049 bytes: one 3-byte character too many
        "橱柜" * 2000,  # one long line of 3-byte characters
        "👍" * 1000,  # 4-byte characters
        "ab" + "😀" * 600,  # 4-byte characters misaligned with the limit
        "\n".join(f"第{i}行：欢迎光临，请随便看看。" for i in range(300)),
    ],
)
def test_split_utf8_keeps_characters_whole(text: str) -> None:
    chunks = split_utf8(text)
    _assert_valid_split(text, chunks, MAX_TEXT_BYTES)
    if _byte_len(text) <= MAX_TEXT_BYTES:
        assert len(chunks) == (1 if text else 0)
    else:
        # greedy: no two neighbours could have been one message
        for first, second in zip(chunks[:-1], chunks[1:], strict=True):
            assert _byte_len(first + second) > MAX_TEXT_BYTES


def test_split_prefers_line_boundaries() -> None:
    lines = [f"{i:03d}" + "好" * 100 for i in range(30)]  # 304 bytes a line
    text = "\n".join(lines)
    chunks = split_utf8(text)
    assert len(chunks) > 1
    assert all(chunk.endswith("\n") for chunk in chunks[:-1])
    assert [line for chunk in chunks for line in chunk.splitlines()] == lines


def test_split_does_not_separate_emoji_joiners() -> None:
    family = "👨\u200d👩\u200d👧"  # 18 bytes, must stay together
    text = "a" * 10 + family * 3
    chunks = split_utf8(text, max_bytes=20)
    _assert_valid_split(text, chunks, 20)
    assert all(not chunk.startswith("\u200d") for chunk in chunks)
    assert all(not chunk.endswith("\u200d") for chunk in chunks)


@pytest.mark.parametrize("seed", range(5))
def test_split_random_multilingual_text(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = ["a", "é", "统", "😀", "\n", " ", "。"]
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1000, 5000)))
    max_bytes = rng.choice([16, 100, MAX_TEXT_BYTES])
    _assert_valid_split(text, split_utf8(text, max_bytes), max_bytes)


def test_split_for_wecom_trims_blank_edges() -> None:
    text = "\n\n" + "好" * 700 + "\n\n\n" + "坏" * 700 + "\n"
    chunks = split_for_wecom(text)
    # 682 three-byte characters fill 2046 bytes; the blank lines fall on a boundary
    assert chunks == ["好" * 682, "好" * 18, "坏" * 682, "坏" * 18]


def test_structured_custom_payloads_are_not_sent_to_wecom() -> None:
    # The web widget's card data rides beside the text; WeCom members get the text only.
    turn = render_turn(
        [
            {"text": "得分 80/100 ✔ 达标"},
            {"custom": {"type": "feedback", "score": 80, "hits": []}},
        ]
    )
    assert turn.text == "得分 80/100 ✔ 达标"
