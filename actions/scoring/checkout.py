"""唱收唱付: find the total, the amount received and the change in a reply.

Each amount is given the role of the nearest cue before it in the same clause
(一共 → total, 收您 → paid, 找您 → change).  An amount without a cue, or with an
ambiguous one (the manual's 这是xx元 is used for both paid and change), takes the
role whose expected value it equals.  Stated amounts are checked against the
``context`` ({"total": …, "paid": …}); without one, total + change must equal paid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .analysis import Analysis
from .catalogue import KeyPoint
from .numbers import Amount, find_amounts, format_amount, same_amount

ROLE_ORDER = ("total", "paid", "change")
ROLE_NAMES = {"total": "总额", "paid": "实收", "change": "找零"}
CUE_REACH = 6  # characters between a cue and its amount
_CLAUSE = re.compile(r"[,.!?;:~\n]")
_NO_CHANGE = re.compile(r"正好|刚好|刚刚好|不用找|无需找|不找零|不需要找|没有找零|(?:就)?不找了")
# The change named and then kept back: 一块钱就不找了, 零钱就算了.  The customer
# gets nothing back, which is what the check compares with the expected change.
_WITHHELD = re.compile(
    r"[^,.!?;:~\n]{0,3}?(?:就|也)?(?:不(?:用|必)?(?:找|给)(?:了|啦|您|你)?|算了|免了|不要了)"
)


@dataclass
class AmountCheck:
    stated: dict[str, tuple[float, str]] = field(default_factory=dict)
    expected: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def hit(self, role: str) -> str | None:
        """The words that stated ``role`` correctly, or None."""
        if role not in self.stated:
            return None
        value, text = self.stated[role]
        expected = self.expected.get(role)
        if expected is not None and not same_amount(value, expected):
            return None
        return text


def expected_amounts(context: dict[str, Any] | None) -> dict[str, float]:
    expected: dict[str, float] = {}
    for role in ("total", "paid"):
        value = (context or {}).get(role)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            expected[role] = float(value)
        elif isinstance(value, str):
            try:
                expected[role] = float(value.replace(",", ""))
            except ValueError:
                pass
    change = (context or {}).get("change")
    if isinstance(change, (int, float)) and not isinstance(change, bool):
        expected["change"] = float(change)
    elif "total" in expected and "paid" in expected:
        expected["change"] = expected["paid"] - expected["total"]
    return expected


def check_amounts(
    analysis: Analysis, key_points: list[KeyPoint], context: dict[str, Any] | None
) -> AmountCheck:
    cues = {kp.amount: kp.regex for kp in key_points if kp.amount and kp.regex}
    result = AmountCheck(expected=expected_amounts(context))
    text = analysis.text
    for amount in find_amounts(text):
        before = text[max(0, amount.start - 12) : amount.start]
        clause = _CLAUSE.split(before)[-1]
        candidates: list[tuple[int, str]] = []  # (distance, role)
        for role, regex in cues.items():
            for cue in regex.finditer(clause):
                distance = len(clause) - cue.end
                if distance <= CUE_REACH:
                    candidates.append((distance, role))
        roles = _order_roles(candidates, amount.value, result)
        for role in roles:
            if role not in result.stated:
                result.stated[role] = _stated(role, amount, text)
                break
    exact = _NO_CHANGE.search(text)
    if exact and "change" not in result.stated:
        result.stated["change"] = (0.0, exact.group(0))  # 正好, 不用找零: change 0
    _find_errors(result)
    return result


def _stated(role: str, amount: Amount, text: str) -> tuple[float, str]:
    """What the reply says for ``role``: a change kept back is a change of 0."""
    if role == "change":
        withheld = _WITHHELD.match(text, amount.end)
        if withheld:
            return 0.0, amount.text + withheld.group(0)
    return amount.value, amount.text


def _order_roles(
    candidates: list[tuple[int, str]], value: float, result: AmountCheck
) -> list[str]:
    by_value = [
        r
        for r in ROLE_ORDER
        if r in result.expected and same_amount(result.expected[r], value)
    ]
    if not candidates:
        return by_value
    nearest = min(d for d, _ in candidates)
    cued = sorted(
        {r for d, r in candidates},
        key=lambda r: (
            r not in by_value,
            min(d for d, rr in candidates if rr == r) != nearest,
            ROLE_ORDER.index(r),
        ),
    )
    return cued


def _find_errors(result: AmountCheck) -> None:
    for role in ROLE_ORDER:
        if role in result.stated and role in result.expected:
            value, text = result.stated[role]
            expected = result.expected[role]
            if same_amount(value, expected):
                continue
            if role == "change" and same_amount(value, 0):
                result.errors.append(f"没有找零(“{text}”),应找回{format_amount(expected)}元")
            else:
                result.errors.append(
                    f"{ROLE_NAMES[role]}说成“{text}”,应为{format_amount(expected)}元"
                )
    stated = {role: value for role, (value, _) in result.stated.items()}
    if not result.expected and len(stated) == 3:
        if not same_amount(stated["total"] + stated["change"], stated["paid"]):
            right = format_amount(stated["paid"] - stated["total"])
            result.errors.append(f"找零“{result.stated['change'][1]}”算错了,应为{right}元")
