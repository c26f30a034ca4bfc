"""Reference mode: every customer intent maps to a catalogued situation and is formatted fully."""

import re
from pathlib import Path

import pytest
import yaml

from actions.reference import (
    CUSTOMER_INTENTS,
    INTENT_TO_SITUATION,
    fallback_choices,
    format_reference_answer,
)
from actions.scenarios import CUSTOMER_TYPES
from actions.scoring import load_catalogue

DOMAIN = Path(__file__).resolve().parents[2] / "domain.yml"


def test_every_contract_intent_is_mapped():
    # CONTRACT 1 is written out once in actions.scenarios (scenario files use it too).
    assert set(CUSTOMER_INTENTS) == set(CUSTOMER_TYPES)


def test_every_contract_intent_is_in_the_domain():
    intents = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["intents"]
    names = {i if isinstance(i, str) else next(iter(i)) for i in intents}
    assert set(CUSTOMER_TYPES) <= names


@pytest.mark.parametrize("intent", sorted(CUSTOMER_TYPES))
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
