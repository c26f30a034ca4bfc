"""Reference mode: every customer intent maps to a catalogued situation and is formatted fully."""

import re

import pytest

from actions.reference import (
    CUSTOMER_INTENTS,
    INTENT_TO_SITUATION,
    fallback_choices,
    format_reference_answer,
)
from actions.scoring import load_catalogue

DOMAIN_CUSTOMER_INTENTS = {
    "greet",
    "browse",
    "ask_product",
    "bargain",
    "compare_price",
    "ask_other_brand",
    "want_out_of_stock",
    "gift_purchase",
    "hesitate",
    "decide_buy",
    "return_exchange",
    "complain",
    "leave",
    "ask_install",
    "returning_customer",
    "wait_impatient",
}


def test_every_contract_intent_is_mapped():
    assert set(CUSTOMER_INTENTS) == DOMAIN_CUSTOMER_INTENTS


@pytest.mark.parametrize("intent", sorted(DOMAIN_CUSTOMER_INTENTS))
def test_answer_names_type_standard_points_and_section(intent):
    situation = load_catalogue().situations[INTENT_TO_SITUATION[intent]]
    text = format_reference_answer(situation, 0.87)
    assert text.startswith(f"【顾客类型】{situation.customer_type}(把握度 87%)")
    assert re.sub(r"\{[a-z_]+\}", "××", situation.standard_phrases[0]) in text
    assert f"【手册出处】{situation.manual_ref}" in text
    for kp in situation.key_points:
        assert (kp.wording or kp.label) in text


def test_bargain_answer_has_the_fixed_price_wording():
    text = format_reference_answer(load_catalogue().situations["bargain"])
    assert "统一定价" in text and "把握度" not in text


def test_fallback_lists_all_types_likeliest_first():
    ranking = [{"name": "nlu_fallback"}, {"name": "compare_price"}, {"name": "bargain"}]
    choices = fallback_choices(ranking, load_catalogue())
    payloads = [p for _, p in choices]
    assert payloads[:2] == ["/compare_price", "/bargain"]
    assert len(payloads) == 16 and len(set(payloads)) == 16
