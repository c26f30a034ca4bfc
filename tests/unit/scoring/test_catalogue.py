"""The standards catalogue: contents, caching, overrides and clear errors."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from actions.scenarios import CONTRACT_SITUATIONS
from actions.scoring import CatalogueError, load_catalogue
from actions.scoring.catalogue import parse_catalogue

VALID = """\
version: "test-1"
pass_mark: 60
store_name: 测试店
courtesy_markers: [您, 请]
hard_rules:
  promise_discount:
    label: 承诺打折
    expressions:
      - 打…折
situations:
  bargain:
    title: 顾客要求降价
    customer_type: 讨价还价的顾客
    manual: 2.[4](1)
    standard:
      - 实在对不起,本店实行的是统一定价制度。
    key_points:
      - id: unified_price
        label: 统一定价
        wording: 本店实行的是统一定价制度
        weight: 2
        expressions:
          - 统一…价
    hard_rules: [promise_discount]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "standards.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_catalogue_has_every_contract_situation(catalogue):
    assert set(catalogue.situations) == set(CONTRACT_SITUATIONS)
    assert catalogue.version and catalogue.pass_mark == 60


@pytest.mark.parametrize("situation_id", sorted(CONTRACT_SITUATIONS))
def test_situation_is_complete(situation_id, catalogue):
    situation = catalogue.situations[situation_id]
    assert situation.id == situation_id
    assert situation.title and situation.customer_type and situation.manual_ref
    assert situation.standard_phrases and all(situation.standard_phrases)
    assert situation.key_points and situation.rules
    for point in situation.key_points:
        assert point.id and point.label and point.wording and point.weight > 0
        assert point.expressions or point.patterns
    assert all(rule.id and rule.label for rule in situation.rules)


def test_catalogue_is_not_mistaken_for_rasa_training_data(catalogue):
    text = catalogue.path.read_text(encoding="utf-8")
    for key in ("nlu", "stories", "rules", "responses"):
        assert not re.search(rf"^\s*{key}:", text, re.M), key


def test_loading_is_cached_per_path(catalogue):
    assert load_catalogue(catalogue.path) is load_catalogue(catalogue.path)


def test_environment_overrides(tmp_path, monkeypatch):
    path = write(tmp_path, VALID.replace("您好", "您好"))
    monkeypatch.setenv("STANDARDS_PATH", str(path))
    monkeypatch.setenv("STORE_NAME", "好家居")
    loaded = load_catalogue()
    assert loaded.path == path.resolve()
    assert loaded.version == "test-1" and loaded.store_name == "好家居"


def test_store_name_fills_the_phone_greeting(catalogue):
    phone = catalogue.situations["phone_greeting"]
    assert phone.standard_phrases[0] == f"您好,{catalogue.store_name}!"


def test_store_name_from_environment_is_used_in_scoring(monkeypatch):
    from actions.scoring import score_reply
    from actions.scoring.catalogue import DEFAULT_PATH

    monkeypatch.setenv("STORE_NAME", "好家居")
    custom = parse_catalogue(DEFAULT_PATH)
    good = score_reply("phone_greeting", "您好,好家居!", catalogue=custom)
    other = score_reply("phone_greeting", "您好,欧派!", catalogue=custom)
    assert good.score > other.score and good.passed


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "message"),
    [
        (
            "weight: 2",
            "weight: -1",
            21,
            "situations.bargain.key_points[0].weight",
            "正数",
        ),
        (
            "weight: 2",
            "weight: 2\n        colour: red",
            22,
            "situations.bargain.key_points[0].colour",
            "未知字段",
        ),
        (
            "- 统一…价",
            "- 统一(价",
            23,
            "situations.bargain.key_points[0].expressions[0]",
            "括号",
        ),
        (
            "hard_rules: [promise_discount]",
            "hard_rules: [promise_free]",
            24,
            "situations.bargain.hard_rules[0]",
            "未定义",
        ),
        ("    title: 顾客要求降价\n", "", 12, "situations.bargain.title", "缺少"),
        (
            "      - id: unified_price",
            "      - id: Unified Price",
            18,
            "situations.bargain.key_points[0].id",
            "小写",
        ),
        ("pass_mark: 60", "pass_mark: 160", 2, "pass_mark", "0-100"),
        (
            "      - 打…折",
            "      - re:(?<=x",
            9,
            "hard_rules.promise_discount.expressions[0]",
            "无法编译",
        ),
    ],
)
def test_errors_name_file_line_and_field(tmp_path, old, new, line, field, message):
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    with pytest.raises(CatalogueError) as raised:
        parse_catalogue(path)
    text = str(raised.value)
    assert text.startswith(f"{path}:{line}: {field}:"), text
    assert message in text


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write(
        tmp_path, VALID.replace("    manual: 2.[4](1)", "    manual: [2.[4](1)")
    )
    with pytest.raises(CatalogueError) as raised:
        parse_catalogue(path)
    assert re.match(rf"{re.escape(str(path))}:\d+: \(YAML\)", str(raised.value))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CatalogueError, match="找不到标准库文件"):
        load_catalogue(tmp_path / "missing.yml")


def test_situation_with_a_standard_phrase_only_gets_derived_key_points(tmp_path):
    text = VALID + (
        "  measure_visit:\n"
        "    title: 预约上门量尺\n"
        "    customer_type: 想量尺寸的顾客\n"
        "    manual: 自定义\n"
        "    standard:\n"
        "      - 好的,我们可以免费上门量尺,请问您哪天方便?\n"
    )
    loaded = parse_catalogue(write(tmp_path, text))
    situation = loaded.situations["measure_visit"]
    assert situation.auto and len(situation.key_points) >= 2
    assert [r.id for r in situation.rules] == []  # no default rules configured


COMMON = VALID.replace(
    "hard_rules:\n  promise_discount:",
    "common_hard_rules: [mock_customer, promise_discount]\n"
    "hard_rules:\n"
    "  mock_customer:\n"
    "    label: 嘲笑顾客\n"
    "    expressions:\n"
    "      - 买不起\n"
    "  promise_discount:",
)


def test_common_rules_join_every_situation_after_its_own(tmp_path):
    loaded = parse_catalogue(write(tmp_path, COMMON))
    rules = [rule.id for rule in loaded.situations["bargain"].rules]
    assert rules == ["promise_discount", "mock_customer"]  # own first, no repeat


def test_unknown_common_rule_names_its_line(tmp_path):
    broken = COMMON.replace(
        "[mock_customer, promise_discount]", "[mock_customer, no_such]"
    )
    path = write(tmp_path, broken)
    with pytest.raises(CatalogueError) as raised:
        parse_catalogue(path)
    assert str(raised.value).startswith(f"{path}:5: common_hard_rules[1]:")
    assert "未定义" in str(raised.value)


def test_rules_of_conduct_hold_in_every_situation(catalogue):
    assert {
        "mock_customer",
        "blame_customer",
        "pressure_buy",
        "promise_discount",
    } <= set(catalogue.common_rules)
    for situation in catalogue.situations.values():
        ids = [rule.id for rule in situation.rules]
        assert set(catalogue.common_rules) <= set(ids), situation.id
        assert len(ids) == len(set(ids)), situation.id
