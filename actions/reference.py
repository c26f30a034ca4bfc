"""Reference mode (话术查询): from a customer intent to the manual's standard answer.

Pure formatting, no Rasa imports, so it is tested without a tracker.
"""

from __future__ import annotations

import re
from typing import Iterable, List, Mapping, Sequence, Tuple

# CONTRACT 1 intent → CONTRACT 2 situation the salesperson's answer is judged by.
INTENT_TO_SITUATION: Mapping[str, str] = {
    "greet": "greet_customer",
    "browse": "browse",
    "ask_product": "product_question",
    "bargain": "bargain",
    "compare_price": "compare_price",
    "ask_other_brand": "other_brand",
    "want_out_of_stock": "out_of_stock",
    "gift_purchase": "gift",
    "hesitate": "hesitate",
    "decide_buy": "checkout",
    "return_exchange": "return_exchange",
    "complain": "complaint",
    "leave": "farewell_no_purchase",
    # Lead time and installation after renovation are part of the custom-order standard.
    "ask_install": "out_of_stock",
    "returning_customer": "returning_customer",
    "wait_impatient": "serve_waiting",
}

CUSTOMER_INTENTS: Tuple[str, ...] = tuple(INTENT_TO_SITUATION)


def _numbered(items: Iterable[str]) -> str:
    circled = "①②③④⑤⑥⑦⑧⑨⑩"
    return " ".join(
        f"{circled[i] if i < len(circled) else str(i + 1) + '.'}{text}"
        for i, text in enumerate(items)
    )


def _short_label(label: str) -> str:
    # Rule labels carry their manual reference in brackets; the answer cites the manual once.
    return re.split(r"[((]", label, maxsplit=1)[0]


def _as_template(phrase: str) -> str:
    # Checkout phrases hold {total}/{paid}/{change}: shown as blanks the trainee fills in.
    return re.sub(r"\{[a-z_]+\}", "××", phrase)


def format_reference_answer(situation, confidence: float | None = None) -> str:
    """The message a trainee sees for one customer type: type, standard, key points, source."""
    header = f"【顾客类型】{situation.customer_type}"
    if confidence is not None:
        header += f"(把握度 {round(confidence * 100)}%)"
    lines = [header, f"【应对场景】{situation.title}"]
    lines.append("【标准应答】" + " / ".join(map(_as_template, situation.standard_phrases)))
    if situation.key_points:
        lines.append(
            "【要点】" + _numbered(kp.wording or kp.label for kp in situation.key_points)
        )
    if situation.rules:
        lines.append(
            "【禁忌】" + "、".join(_short_label(rule.label) for rule in situation.rules)
        )
    lines.append(f"【手册出处】{situation.manual_ref}")
    return "\n".join(lines)


def fallback_choices(
    ranking: Sequence[Mapping], catalogue, limit: int = 16
) -> List[Tuple[str, str]]:
    """Buttons (title, payload) for every customer type, the likeliest first."""
    ranked = [r.get("name") for r in ranking if r.get("name") in INTENT_TO_SITUATION]
    ordered = ranked + [i for i in CUSTOMER_INTENTS if i not in ranked]
    choices = []
    for intent in ordered[:limit]:
        situation = catalogue.situations[INTENT_TO_SITUATION[intent]]
        choices.append((situation.customer_type, f"/{intent}"))
    return choices
