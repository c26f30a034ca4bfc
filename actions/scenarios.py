"""Scenario files: load, validate and lint the scripted customers of practice mode.

One YAML file per scenario in ``data/scenarios/<id>.yml`` (schema: docs/scenarios.md).
Pure Python with no Rasa imports, so the action server, the tests and the trainers'
lint command share one validator. Every problem is reported with its file and line,
and a broken file is skipped rather than taking the action server down.

    python -m actions.scenarios lint [PATH ...]
"""

from __future__ import annotations

import argparse
import difflib
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCENARIOS_DIR = PROJECT_ROOT / "data" / "scenarios"
SCENARIOS_DIR_ENV = "SCENARIOS_DIR"
SCENARIO_SUFFIXES = (".yml", ".yaml")

DEFAULT_PASS_MARK = 60
DEFAULT_STORE_NAME = "欧派"
STORE_NAME_PLACEHOLDER = "{store_name}"
MIN_LINE_VARIANTS = 3
MAX_PATIENCE = 10

DIFFICULTIES = ("初级", "中级", "高级")

# CONTRACT 1 (design.md): a scenario's customer type is one of the customer intents.
CUSTOMER_TYPES = (
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
)

# CONTRACT 2 (design.md): used only when the scorer's catalogue cannot be imported.
CONTRACT_SITUATIONS = (
    "greet_customer",
    "offer_help",
    "returning_customer",
    "browse",
    "product_question",
    "hesitate",
    "out_of_stock",
    "other_brand",
    "bargain",
    "compare_price",
    "gift",
    "checkout",
    "serve_waiting",
    "farewell_no_purchase",
    "thank_after_purchase",
    "phone_greeting",
    "return_exchange",
    "complaint",
)

# Manual 8.6 经营人员必须掌握的消费者心理: the healthy kinds, then the unhealthy ones.
CONSUMER_PSYCHOLOGY = (
    "实用心理",
    "廉价心理",
    "新奇心理",
    "比较选择心理",
    "名牌心理",
    "便捷心理",
    "习惯心理",
    "同步心理",
    "优越心理",
    "怀旧心理",
    "追求服务心理",
    "安全心理",
    "回归自然心理",
    "超前心理",
    "攀比心理",
    "务虚心理",
    "容忍心理",
    "崇洋心理",
)

# Context keys a situation cannot be scored without (checkout: 唱收唱付 needs both sums).
REQUIRED_CONTEXT = {"checkout": ("total", "paid")}

_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACEHOLDER_PATTERN = re.compile(r"\{[^{}]*\}")
# A half-width comma written inside a Chinese sentence (no space, Chinese on a side).
_CLAUSE_COMMA = re.compile(r"[\u3400-\u9fff],(?!\s)|,[\u3400-\u9fff]")

_TOP_REQUIRED = (
    "id",
    "title",
    "difficulty",
    "description",
    "customer",
    "patience",
    "turns",
    "ending",
)
_TOP_OPTIONAL = ("pass_mark", "products")
_CUSTOMER_REQUIRED = ("name", "avatar", "type", "psychology", "mood")
_TURN_REQUIRED = ("situation", "lines", "pushback")
_TURN_OPTIONAL = ("context", "good_reaction")
_ENDING_REQUIRED = ("success", "walkout")
_PRODUCT_REQUIRED = ("name", "price")
_PRODUCT_OPTIONAL = ("note",)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a scenario file, printed as ``file:line: message``."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ScenarioError(Exception):
    """A scenario file that cannot be used; ``problems`` lists everything wrong."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class Product:
    name: str
    price: float
    note: str | None = None


@dataclass(frozen=True)
class Customer:
    name: str
    avatar: str
    type: str
    psychology: tuple[str, ...]
    mood: str


@dataclass(frozen=True)
class Turn:
    situation: str
    lines: tuple[str, ...]
    pushback: tuple[str, ...]
    good_reaction: tuple[str, ...] = ()
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Ending:
    success: tuple[str, ...]
    walkout: tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    difficulty: str
    description: str
    customer: Customer
    patience: int
    turns: tuple[Turn, ...]
    ending: Ending
    pass_mark: float = DEFAULT_PASS_MARK
    products: tuple[Product, ...] = ()
    source: str = ""

    @property
    def situations(self) -> tuple[str, ...]:
        """The situations this scenario tests, in turn order, without repeats."""
        return tuple(dict.fromkeys(turn.situation for turn in self.turns))


@dataclass
class ScenarioLibrary:
    """The scenarios that loaded, ordered by difficulty then id, and the problems of the rest."""

    scenarios: dict[str, Scenario] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def get(self, scenario_id: str) -> Scenario | None:
        return self.scenarios.get(scenario_id)

    def by_difficulty(self) -> dict[str, list[Scenario]]:
        grouped: dict[str, list[Scenario]] = {level: [] for level in DIFFICULTIES}
        for scenario in self.scenarios.values():
            grouped[scenario.difficulty].append(scenario)
        return grouped

    def __contains__(self, scenario_id: object) -> bool:
        return scenario_id in self.scenarios

    def __iter__(self) -> Iterator[Scenario]:
        return iter(self.scenarios.values())

    def __len__(self) -> int:
        return len(self.scenarios)


def fill_placeholders(text: str, store_name: str = DEFAULT_STORE_NAME) -> str:
    """Put the configured store name into a customer line (phone call scenarios)."""
    return text.replace(STORE_NAME_PLACEHOLDER, store_name)


def known_situations() -> frozenset[str]:
    """Situation ids the scorer can grade: its catalogue if importable, else CONTRACT 2.

    Not cached here: load_catalogue caches by file version, so an edited catalogue counts.
    """
    try:
        from actions.scoring import load_catalogue
    except ImportError:
        return frozenset(CONTRACT_SITUATIONS)
    try:
        return frozenset(load_catalogue().situations)
    except Exception as error:  # a broken catalogue is the scorer's to report
        logger.warning("标准库加载失败(%s),改用约定的 18 个情景 id 校验场景文件", error)
        return frozenset(CONTRACT_SITUATIONS)


def default_scenarios_dir() -> Path:
    return Path(os.environ.get(SCENARIOS_DIR_ENV) or DEFAULT_SCENARIOS_DIR)


def load_scenario(
    path: str | Path, situations: Iterable[str] | None = None
) -> Scenario:
    """Load and validate one scenario file; raise ScenarioError listing every problem."""
    scenario, problems, _ = _load_file(Path(path), _situation_set(situations))
    if problems or scenario is None:
        raise ScenarioError(problems)
    return scenario


def load_scenarios(
    directory: str | Path | None = None, situations: Iterable[str] | None = None
) -> ScenarioLibrary:
    """Load every scenario of a directory, skipping (and keeping the problems of) broken ones."""
    folder = Path(directory) if directory is not None else default_scenarios_dir()
    if not folder.is_dir():
        problem = Problem(str(folder), 1, "场景目录不存在")
        logger.warning("%s", problem)
        return ScenarioLibrary(problems=[problem])
    library = _load_files(_scenario_files(folder), _situation_set(situations))
    for problem in library.problems:
        logger.warning("场景文件有问题,已跳过: %s", problem)
    return library


def lint_paths(
    paths: Iterable[str | Path], situations: Iterable[str] | None = None
) -> list[Problem]:
    """Every problem of the scenario files at these paths (files or directories)."""
    files, problems = _collect_files(paths)
    problems += _load_files(files, _situation_set(situations)).problems
    return sorted(problems)


def _situation_set(situations: Iterable[str] | None) -> frozenset[str]:
    return frozenset(situations) if situations is not None else known_situations()


def _scenario_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.iterdir()
        if path.suffix in SCENARIO_SUFFIXES and path.is_file()
    )


def _collect_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[Problem]]:
    files: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = _scenario_files(path)
            if not found:
                problems.append(Problem(str(path), 1, "目录里没有场景文件(*.yml)"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(path), 1, "文件不存在"))
    unique = {path.resolve(): path for path in reversed(files)}  # a file named twice
    return [path for path in files if unique[path.resolve()] is path], problems


def _load_files(files: Iterable[Path], situations: frozenset[str]) -> ScenarioLibrary:
    loaded: dict[str, Scenario] = {}
    problems: list[Problem] = []
    for path in files:
        scenario, file_problems, id_line = _load_file(path, situations)
        problems.extend(file_problems)
        if scenario is None or file_problems:
            continue
        if scenario.id in loaded:
            first = loaded[scenario.id].source
            problems.append(
                Problem(str(path), id_line, f"场景 id '{scenario.id}' 重复,{first} 已经用了")
            )
            continue
        loaded[scenario.id] = scenario
    ordered = sorted(
        loaded.values(), key=lambda s: (DIFFICULTIES.index(s.difficulty), s.id)
    )
    return ScenarioLibrary({s.id: s for s in ordered}, problems)


def _load_file(
    path: Path, situations: frozenset[str]
) -> tuple[Scenario | None, list[Problem], int]:
    """Parse and validate one file: (scenario or None, problems, line of its id)."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(file, 1, f"无法读取文件(需 UTF-8 编码): {exc}")], 1
    try:
        document = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        detail = "; ".join(part for part in (exc.context, exc.problem) if part)
        return None, [Problem(file, line, f"YAML 语法错误: {detail}")], 1
    except YAMLError as exc:
        return None, [Problem(file, 1, f"YAML 语法错误: {exc}")], 1
    validator = _Validator(path, text, situations)
    scenario = validator.scenario(document)
    return scenario, sorted(validator.problems), validator.id_line


class _Validator:
    """Walks one parsed file, collecting every problem instead of stopping at the first."""

    def __init__(self, path: Path, source: str, situations: frozenset[str]) -> None:
        self.path = path
        self.source_lines = source.splitlines()
        self.situations = situations
        self.problems: list[Problem] = []
        self.id_line = 1

    def report(self, line: int, message: str) -> None:
        self.problems.append(Problem(str(self.path), line, message))

    # --- document structure -------------------------------------------------------

    def scenario(self, document: Any) -> Scenario | None:
        if document is None:
            self.report(1, "文件是空的")
            return None
        if not isinstance(document, CommentedMap):
            self.report(_node_line(document, 1), "顶层应是键值映射(id、title、turns……)")
            return None
        self.keys(document, _TOP_REQUIRED, _TOP_OPTIONAL, "", 1)
        self.id_line = _key_line(document, "id")
        scenario_id = self.scenario_id(document)
        title = self.text(document, "title", "title")
        difficulty = self.choice(document, "difficulty", "difficulty", DIFFICULTIES)
        description = self.text(document, "description", "description")
        customer = self.customer(document)
        patience = self.patience(document)
        pass_mark = self.pass_mark(document)
        products = self.products(document)
        turns = self.turns(document)
        ending = self.ending(document)
        if self.problems:
            return None
        assert customer is not None and ending is not None and patience is not None
        return Scenario(
            id=scenario_id or "",
            title=title or "",
            difficulty=difficulty or "",
            description=description or "",
            customer=customer,
            patience=patience,
            turns=turns,
            ending=ending,
            pass_mark=pass_mark,
            products=products,
            source=str(self.path),
        )

    def scenario_id(self, document: CommentedMap) -> str | None:
        value = self.text(document, "id", "id")
        if value is None:
            return None
        line = _value_line(document, "id")
        if not _ID_PATTERN.match(value):
            self.report(line, f"id '{value}' 应是 ASCII 小写 snake_case(如 bargain_sofa)")
        if value != self.path.stem:
            self.report(
                line, f"id '{value}' 与文件名 '{self.path.stem}' 不一致,应写成 '{self.path.stem}'"
            )
        return value

    def customer(self, document: CommentedMap) -> Customer | None:
        node = self.mapping(document, "customer", "customer")
        if node is None:
            return None
        self.keys(
            node, _CUSTOMER_REQUIRED, (), "customer.", _key_line(document, "customer")
        )
        name = self.text(node, "name", "customer.name")
        avatar = self.avatar(node)
        customer_type = self.choice(node, "type", "customer.type", CUSTOMER_TYPES)
        psychology = self.psychology(node)
        mood = self.text(node, "mood", "customer.mood")
        if None in (name, avatar, customer_type, psychology, mood):
            return None
        return Customer(name, avatar, customer_type, psychology, mood)  # type: ignore[arg-type]

    def avatar(self, node: CommentedMap) -> str | None:
        value = self.text(node, "avatar", "customer.avatar")
        if value is not None and (len(value) > 8 or any(ch.isalnum() for ch in value)):
            self.report(
                _value_line(node, "avatar"), f"customer.avatar 应是一个表情符号,而不是 '{value}'"
            )
        return value

    def psychology(self, node: CommentedMap) -> tuple[str, ...] | None:
        terms = self.text_list(
            node, "psychology", "customer.psychology", minimum=1, speech=False
        )
        if terms is None:
            return None
        items = node["psychology"]
        for index, term in enumerate(terms):
            if term in CONSUMER_PSYCHOLOGY:
                continue
            hint = (
                f",应写作 '{term}心理'"
                if f"{term}心理" in CONSUMER_PSYCHOLOGY
                else _suggestion(term, CONSUMER_PSYCHOLOGY)
            )
            self.report(
                _item_line(items, index),
                f"customer.psychology: '{term}' 不是手册 8.6 的消费心理{hint}",
            )
        return terms

    def patience(self, document: CommentedMap) -> int | None:
        if "patience" not in document:
            return None
        value = document["patience"]
        if not _is_int(value) or not 1 <= value <= MAX_PATIENCE:
            self.report(
                _value_line(document, "patience"),
                f"patience 应是 1 到 {MAX_PATIENCE} 之间的整数(能容忍几次不佳回答),而不是 {value!r}",
            )
            return None
        return int(value)

    def pass_mark(self, document: CommentedMap) -> float:
        if "pass_mark" not in document:
            return DEFAULT_PASS_MARK
        value = document["pass_mark"]
        if not _is_number(value) or not 0 < value <= 100:
            self.report(
                _value_line(document, "pass_mark"),
                f"pass_mark 应是 1 到 100 之间的分数,而不是 {value!r}",
            )
            return DEFAULT_PASS_MARK
        return int(value) if _is_int(value) else float(value)

    def products(self, document: CommentedMap) -> tuple[Product, ...]:
        if "products" not in document:
            return ()
        items = self.sequence(document, "products", "products")
        if items is None:
            return ()
        products = []
        for index, item in enumerate(items):
            where = f"products 第{index + 1}项"
            self.clause_commas(item, _item_line(items, index), where)
            if not isinstance(item, CommentedMap):
                self.report(
                    _item_line(items, index), f"{where} 应是映射 {{name: …, price: …}}"
                )
                continue
            self.keys(
                item,
                _PRODUCT_REQUIRED,
                _PRODUCT_OPTIONAL,
                f"{where} ",
                _item_line(items, index),
            )
            name = self.text(item, "name", f"{where} name")
            price = self.positive_number(item, "price", f"{where} price")
            note = self.text(item, "note", f"{where} note") if "note" in item else None
            if name is not None and price is not None:
                products.append(Product(name, price, note))
        return tuple(products)

    def turns(self, document: CommentedMap) -> tuple[Turn, ...]:
        items = self.sequence(document, "turns", "turns")
        if items is None:
            return ()
        if not items:
            self.report(_value_line(document, "turns"), "turns 至少需要 1 轮")
        turns = (self.turn(items, index) for index in range(len(items)))
        return tuple(turn for turn in turns if turn is not None)

    def turn(self, items: CommentedSeq, index: int) -> Turn | None:
        where = f"第{index + 1}轮"
        node = items[index]
        if not isinstance(node, CommentedMap):
            self.report(
                _item_line(items, index), f"{where} 应是映射(situation、lines、pushback……)"
            )
            return None
        self.keys(
            node, _TURN_REQUIRED, _TURN_OPTIONAL, f"{where} ", _item_line(items, index)
        )
        situation = self.choice(
            node, "situation", f"{where} situation", sorted(self.situations)
        )
        lines = self.text_list(node, "lines", f"{where} lines", MIN_LINE_VARIANTS)
        pushback = self.text_list(node, "pushback", f"{where} pushback", minimum=1)
        good_reaction: tuple[str, ...] | None = ()
        if "good_reaction" in node:
            good_reaction = self.text_list(
                node, "good_reaction", f"{where} good_reaction", minimum=0
            )
        context = self.context(node, situation, where)
        if None in (situation, lines, pushback, good_reaction, context):
            return None
        return Turn(situation, lines, pushback, good_reaction, context)  # type: ignore[arg-type]

    def context(
        self, node: CommentedMap, situation: str | None, where: str
    ) -> dict[str, Any] | None:
        required = REQUIRED_CONTEXT.get(situation or "", ())
        if "context" not in node:
            if required:
                self.report(
                    _node_line(node, 1),
                    f"{where} context: {situation} 情景需要 context,含 {'、'.join(required)}",
                )
                return None
            return {}
        context_node = self.mapping(node, "context", f"{where} context")
        if context_node is None:
            return None
        self.clause_commas(
            context_node, _value_line(node, "context"), f"{where} context"
        )
        context: dict[str, Any] = {}
        for key, value in context_node.items():
            if not isinstance(key, str) or not _is_scalar(value):
                self.report(
                    _key_line(context_node, key),
                    f"{where} context: '{key}' 的值应是数字或文字",
                )
                continue
            context[key] = _plain_scalar(value)
        ok = True
        for key in required:
            if key not in context:
                self.report(
                    _node_line(context_node, _value_line(node, "context")),
                    f"{where} context: {situation} 情景缺少 '{key}'",
                )
                ok = False
            elif not _is_number(context[key]) or context[key] <= 0:
                self.report(
                    _value_line(context_node, key),
                    f"{where} context.{key} 应是大于 0 的金额,而不是 {context[key]!r}",
                )
                ok = False
        if situation == "checkout" and ok and context["paid"] < context["total"]:
            self.report(
                _value_line(context_node, "paid"),
                f"{where} context: 实收 paid({context['paid']})不能少于应收 total({context['total']})",
            )
        return context

    def ending(self, document: CommentedMap) -> Ending | None:
        node = self.mapping(document, "ending", "ending")
        if node is None:
            return None
        self.keys(node, _ENDING_REQUIRED, (), "ending.", _key_line(document, "ending"))
        success = self.text_list(node, "success", "ending.success", minimum=1)
        walkout = self.text_list(node, "walkout", "ending.walkout", minimum=1)
        if success is None or walkout is None:
            return None
        return Ending(success, walkout)

    # --- generic checks -----------------------------------------------------------

    def keys(
        self,
        node: CommentedMap,
        required: Sequence[str],
        optional: Sequence[str],
        prefix: str,
        line: int,
    ) -> None:
        """Unknown keys at their own line; missing ones at ``line``, where the mapping opens."""
        allowed = (*required, *optional)
        for key in node:
            if key not in allowed:
                hint = _suggestion(str(key), allowed)
                self.report(
                    _key_line(node, key),
                    f"{prefix}{key}: 未知的键{hint}(可用: {', '.join(allowed)})",
                )
        for key in required:
            if key not in node:
                self.report(line, f"{prefix}{key}: 缺少必填的键")

    def typed(
        self,
        node: CommentedMap,
        key: str,
        where: str,
        fits: Callable[[Any], bool],
        wanted: str,
        shown: Callable[[Any], str] | None = None,
    ) -> Any:
        """``node[key]`` if it ``fits``; None when absent or reported as not ``wanted``."""
        if key not in node:
            return None
        value = node[key]
        if not fits(value):
            described = (shown or _kind)(value)
            self.report(_value_line(node, key), f"{where} 应是{wanted},而不是 {described}")
            return None
        return value

    def mapping(self, node: CommentedMap, key: str, where: str) -> CommentedMap | None:
        return self.typed(
            node, key, where, lambda v: isinstance(v, CommentedMap), "映射(键: 值)"
        )

    def sequence(self, node: CommentedMap, key: str, where: str) -> CommentedSeq | None:
        return self.typed(
            node, key, where, lambda v: isinstance(v, CommentedSeq), "列表(- …)"
        )

    def text(self, node: CommentedMap, key: str, where: str) -> str | None:
        value = self.typed(
            node, key, where, lambda v: isinstance(v, str) and bool(v.strip()), "非空文字"
        )
        if value is None:
            return None
        for placeholder in _PLACEHOLDER_PATTERN.findall(value):
            self.report(
                _value_line(node, key),
                f"{where}: 这里不能用占位符 {placeholder},"
                f"{STORE_NAME_PLACEHOLDER} 只能用在顾客说的话里",
            )
        return str(value).strip()

    def text_list(
        self,
        node: CommentedMap,
        key: str,
        where: str,
        minimum: int,
        speech: bool = True,
    ) -> tuple[str, ...] | None:
        """A list of texts; ``speech`` marks what the customer says (placeholders allowed)."""
        items = self.sequence(node, key, where)
        if items is None:
            return None
        if speech:
            self.clause_commas(items, _value_line(node, key), where)
        texts: list[str] = []
        ok = True
        for index, item in enumerate(items):
            line = _item_line(items, index)
            if not isinstance(item, str) or not item.strip():
                self.report(line, f"{where} 第{index + 1}条应是非空文字,而不是 {_kind(item)}")
                ok = False
                continue
            text = str(item).strip()
            if text in texts:
                self.report(line, f"{where} 第{index + 1}条与前面重复: {text}")
            if speech:
                self.placeholders(text, line, where)
            texts.append(text)
        distinct = len(set(texts))
        if ok and distinct < minimum:
            self.report(
                _key_line(node, key),
                f"{where} 至少需要 {minimum} 个不同的说法,现在只有 {distinct} 个",
            )
            return None
        return tuple(texts) if ok else None

    def choice(
        self, node: CommentedMap, key: str, where: str, allowed: Sequence[str]
    ) -> str | None:
        value = self.text(node, key, where)
        if value is None:
            return None
        if value not in allowed:
            hint = _suggestion(value, allowed)
            options = "" if hint or len(allowed) > 20 else f"(可选: {'、'.join(allowed)})"
            self.report(
                _value_line(node, key), f"{where}: 未知的取值 '{value}'{hint}{options}"
            )
            return None
        return value

    def positive_number(self, node: CommentedMap, key: str, where: str) -> float | None:
        value = self.typed(
            node, key, where, lambda v: _is_number(v) and v > 0, "大于 0 的数字", repr
        )
        return None if value is None else _plain_scalar(value)

    def clause_commas(self, collection: Any, first: int, where: str) -> None:
        """In flow style ([a, b] / {k: v}) a half-width comma ends the item, so
        "[行,就这样]" is two lines: flag a comma written inside a Chinese sentence."""
        fa = getattr(collection, "fa", None)
        if fa is None or not fa.flow_style() or not collection:
            return
        last = max(first, _last_line(collection))
        for number in range(first, last + 1):
            if _CLAUSE_COMMA.search(self.source_lines[number - 1]):
                self.report(
                    number,
                    f"{where}: 方括号/花括号里的半角逗号会把一句话拆开;" "请给这句话加上引号,或改用 - 逐行列出",
                )
                return

    def placeholders(self, text: str, line: int, where: str) -> None:
        for placeholder in _PLACEHOLDER_PATTERN.findall(text):
            if placeholder != STORE_NAME_PLACEHOLDER:
                self.report(
                    line, f"{where}: 未知的占位符 {placeholder},只支持 {STORE_NAME_PLACEHOLDER}"
                )


def _suggestion(value: str, allowed: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(allowed), n=1, cutoff=0.6)
    return f",是不是 '{close[0]}'?" if close else ""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def _plain_scalar(value: Any) -> Any:
    """ruamel's round-trip scalars (ScalarFloat, …) as plain Python values."""
    for plain in (bool, str, int, float):
        if isinstance(value, plain):
            return plain(value)
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "空值"
    if isinstance(value, CommentedMap):
        return "映射"
    if isinstance(value, CommentedSeq):
        return "列表"
    return repr(value)


def _node_line(node: Any, default: int) -> int:
    lc = getattr(node, "lc", None)
    return lc.line + 1 if lc is not None and lc.line is not None else default


def _key_line(node: CommentedMap, key: Any) -> int:
    try:
        return node.lc.key(key)[0] + 1
    except (KeyError, TypeError):
        return _node_line(node, 1)


def _value_line(node: CommentedMap, key: Any) -> int:
    if node.get(key) is None:  # an empty value has no position of its own
        return _key_line(node, key)
    try:
        return node.lc.value(key)[0] + 1
    except (KeyError, TypeError):
        return _key_line(node, key)


def _last_line(collection: CommentedMap | CommentedSeq) -> int:
    """Line of the last key or item of a collection (its first line if unknown)."""
    try:
        if isinstance(collection, CommentedMap):
            return max(_value_line(collection, key) for key in collection)
        return _item_line(collection, len(collection) - 1)
    except ValueError:
        return _node_line(collection, 1)


def _item_line(node: CommentedSeq, index: int) -> int:
    try:
        return node.lc.item(index)[0] + 1
    except (KeyError, TypeError, IndexError):
        return _node_line(node, 1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m actions.scenarios", description="场景文件工具"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    lint = commands.add_parser("lint", help="检查场景文件,逐条列出问题(文件:行号: 说明)")
    lint.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help=f"场景文件或目录;默认 ${SCENARIOS_DIR_ENV} 或 data/scenarios",
    )
    args = parser.parse_args(argv)

    paths = args.paths or [default_scenarios_dir()]
    files, _ = _collect_files(paths)
    problems = lint_paths(paths)
    for problem in problems:
        print(problem)
    if problems:
        print(f"检查了 {len(files)} 个场景文件,发现 {len(problems)} 个问题。", file=sys.stderr)
        return 1
    print(f"检查了 {len(files)} 个场景文件,没有发现问题。", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
