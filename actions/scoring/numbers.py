"""Money amounts in replies: Arabic and Chinese numerals.

Handles the ways cashiers say amounts: ``3860``, ``3860.00``, ``3,860`` (commas are
removed by :func:`normalize`), ``三千八百六十``, colloquial ``一百四`` (140),
``三千八`` (3800), ``一万二`` (12000), ``两千零五十``, ``1.4万`` and banking
numerals such as ``叁仟捌佰陆拾``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "幺": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_WAN = {"万": 10_000}
_CHINESE_CHARS = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_WAN)
_MONEY_UNIT = r"(?:块钱|块|元钱|元|圆|rmb|人民币|¥)"

_AMOUNT = re.compile(
    r"(?P<arabic>\d+(?:\.\d+)?)(?P<arabic_wan>万)?" rf"|(?P<chinese>[{_CHINESE_CHARS}]+)"
)
_UNIT_AFTER = re.compile(rf"\s?{_MONEY_UNIT}")
# Change counted out in notes: 一张一百两张二十 = 140, 两张五十的 = 100.
_NOTE_VALUE = r"一百|壹佰|五十|伍拾|二十|贰拾|十|拾|五|伍|一|壹|100|50|20|10|5|1"
_NOTE = re.compile(
    rf"(?P<count>\d+|[一二两三四五六七八九壹贰叁肆伍陆柒捌玖])张(?P<value>{_NOTE_VALUE})"
    rf"(?![米寸尺厘公分个位人岁号0-9])(?:{_MONEY_UNIT})?(?:的)?"
)
_NOTE_JOIN = re.compile(r"(?:和|加|跟|再|还有|/)?")


@dataclass(frozen=True)
class Amount:
    """A number found in a text, with its character span."""

    value: float
    start: int
    end: int
    text: str
    has_unit: bool


def parse_chinese_number(text: str) -> int | None:
    """Parse a run of Chinese numerals; ``None`` when it is not a number."""
    if not text or any(ch not in _CHINESE_CHARS for ch in text):
        return None
    total = 0  # completed groups of ten thousand
    section = 0  # value below ten thousand
    digit: int | None = None
    last_unit = 0
    zero_since_unit = False
    previous_was_digit = False
    for ch in text:
        if ch in _DIGITS:
            value = _DIGITS[ch]
            if value == 0:
                if previous_was_digit and digit:
                    digit *= 10  # "三八六零" read digit by digit
                    continue
                zero_since_unit = True
                previous_was_digit = False
                digit = None
                continue
            # "三八六零": digits read one by one.
            digit = digit * 10 + value if previous_was_digit and digit else value
            previous_was_digit = True
        elif ch in _SMALL_UNITS:
            unit = _SMALL_UNITS[ch]
            section += (digit if digit is not None else 1) * unit
            digit = None
            last_unit = unit
            zero_since_unit = False
            previous_was_digit = False
        else:  # 万
            section += digit or 0
            total = (total + section) * 10_000
            section = 0
            digit = None
            last_unit = 10_000
            zero_since_unit = False
            previous_was_digit = False
    if digit is not None:
        if last_unit >= 100 and not zero_since_unit and digit < 10:
            # Colloquial omission of the next unit: 一百四 = 140, 一万二 = 12000.
            digit *= last_unit // 10
        section += digit
    return total + section


def find_amounts(text: str) -> list[Amount]:
    """All plausible amounts in a normalised text, left to right.

    A lone 一 or 两 (一共, 一下, 两个) and a lone unit (十分) are words, not
    amounts, unless a money unit follows.
    """
    amounts = _note_amounts(text)
    counted = [(a.start, a.end) for a in amounts]
    for match in _AMOUNT.finditer(text):
        if any(start <= match.start() < end for start, end in counted):
            continue
        unit = _UNIT_AFTER.match(text, match.end())
        has_unit = unit is not None
        end = unit.end() if unit else match.end()
        if match.group("arabic"):
            value = float(match.group("arabic"))
            if match.group("arabic_wan"):
                value *= 10_000
            amounts.append(
                Amount(value, match.start(), end, text[match.start() : end], has_unit)
            )
            continue
        run = match.group("chinese")
        start = match.start()
        # A unit cannot start a number except 十 (十五); 万一 is "in case".
        while run and run[0] in "百佰千仟万":
            run = run[1:]
            start += 1
        if not run:
            continue
        if len(run) == 1 and not has_unit:
            continue
        value = parse_chinese_number(run)
        if value is None or value == 0 and not has_unit:
            continue
        amounts.append(Amount(float(value), start, end, text[start:end], has_unit))
    amounts.sort(key=lambda amount: amount.start)
    return amounts


def _note_amounts(text: str) -> list[Amount]:
    """Runs of ``<count>张<note>`` summed into one amount each."""
    amounts: list[Amount] = []
    position = 0
    while True:
        first = _NOTE.search(text, position)
        if first is None:
            return amounts
        total, end, match = 0.0, first.start(), first
        while match is not None:
            count = _note_number(match.group("count"))
            total += count * _note_number(match.group("value"))
            end = match.end()
            join = _NOTE_JOIN.match(text, end)
            match = _NOTE.match(text, join.end() if join else end)
        amounts.append(
            Amount(total, first.start(), end, text[first.start() : end], True)
        )
        position = end


def _note_number(text: str) -> int:
    return int(text) if text.isdigit() else parse_chinese_number(text) or 0


def same_amount(first: float, second: float) -> bool:
    return abs(first - second) < 0.005


def format_amount(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
