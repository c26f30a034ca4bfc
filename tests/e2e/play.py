"""Helpers to play a scenario as a trainee would: a good reply per turn, or a poor one."""

from __future__ import annotations

from typing import Mapping

from actions.scenarios import load_scenarios
from actions.scoring import load_catalogue

POOR_REPLY = "嗯,随便你。"


def scenario(scenario_id: str):
    return load_scenarios().scenarios[scenario_id]


def good_reply(situation: str, context: Mapping | None = None) -> str:
    """The manual's standard wording for the situation, with the turn's numbers filled in."""
    phrases = load_catalogue().situations[situation].standard_phrases
    context = dict(context or {})
    phrase = (
        phrases[1]
        if context.get("phase") == "return" and len(phrases) > 1
        else phrases[0]
    )
    if "total" in context and "paid" in context:
        context["change"] = context["paid"] - context["total"]
    return phrase.format(
        **{k: v for k, v in context.items() if isinstance(v, (int, float, str))}
    )


def texts(messages) -> str:
    return "\n".join(m.get("text", "") for m in messages)
