"""The standards catalogue (``data/standards.yml``): loading and validation.

A broken entry stops loading with a :class:`CatalogueError` whose message names
the file, the line and the field, e.g.::

    data/standards.yml:120: situations.bargain.key_points[2].weight: 权重必须是正数
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from .expressions import (
    ExpressionError,
    ExpressionSet,
    compile_expressions,
    pattern_to_spacy,
)
from .nlp import PROJECT_ROOT

DEFAULT_PATH = PROJECT_ROOT / "data" / "standards.yml"
AMOUNT_ROLES = ("total", "paid", "change")
RULE_CHECKS = ("amounts",)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class CatalogueError(ValueError):
    """The catalogue file is missing, malformed or inconsistent."""


@dataclass
class KeyPoint:
    """One thing a good reply says, with the ways people say it."""

    id: str
    label: str
    wording: str
    weight: float
    expressions: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    optional: bool = False
    amount: str | None = None
    # Ways of saying the opposite (两三个月 for “about 20 days”): a contradiction.
    opposites: list[str] = field(default_factory=list)
    regex: ExpressionSet | None = field(default=None, repr=False, compare=False)
    opposites_regex: ExpressionSet | None = field(
        default=None, repr=False, compare=False
    )
    # Auto mode: content words a derived key point is checked against.
    terms: list[list[str]] = field(default_factory=list, repr=False, compare=False)


@dataclass
class HardRule:
    """Something a reply must never do; breaking it fails the reply."""

    id: str
    label: str
    expressions: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    check: str | None = None
    severe: bool = False  # rude or mocking: the reply is worth almost nothing
    regex: ExpressionSet | None = field(default=None, repr=False, compare=False)


@dataclass
class Situation:
    """One standard of the manual a reply is scored against."""

    id: str
    title: str
    customer_type: str
    manual_ref: str
    standard_phrases: list[str]
    key_points: list[KeyPoint]
    rules: list[HardRule]
    courtesy_markers: list[str]
    auto: bool = False
    courtesy_regex: ExpressionSet | None = field(default=None, repr=False)
    compiled: Any = field(default=None, repr=False, compare=False)


@dataclass
class Catalogue:
    version: str
    pass_mark: int
    store_name: str
    situations: dict[str, Situation]
    hard_rules: dict[str, HardRule]
    courtesy_markers: list[str]
    default_rules: list[str]
    path: Path
    # Rules of conduct added to every curated situation (文明经商, 不二价).
    common_rules: list[str] = field(default_factory=list)
    courtesy_regex: ExpressionSet | None = field(default=None, repr=False)
    # Auto-mode situations built for trainers' phrases, by phrase.
    derived: dict[str, Situation] = field(default_factory=dict, repr=False)


class _Reader:
    """Reads values out of the ruamel tree and reports errors with lines."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: Any, key: Any, where: str, message: str) -> CatalogueError:
        return CatalogueError(f"{self.path}:{_line(node, key)}: {where}: {message}")

    def mapping(self, node: Any, key: Any, where: str) -> dict[str, Any]:
        value = node[key] if key is not None else node
        if not isinstance(value, dict):
            raise self.fail(node, key, where, "应为键值表(mapping)")
        return value

    def text(
        self, node: dict, key: str, where: str, required: bool = True
    ) -> str | None:
        if key not in node or node[key] is None:
            if required:
                raise self.fail(node, None, f"{where}.{key}", "缺少必填字段")
            return None
        value = node[key]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.fail(node, key, f"{where}.{key}", "应为文字")
        value = str(value).strip()
        if required and not value:
            raise self.fail(node, key, f"{where}.{key}", "不能为空")
        return value

    def texts(
        self, node: dict, key: str, where: str, required: bool = True
    ) -> list[str]:
        if key not in node or node[key] is None:
            if required:
                raise self.fail(node, None, f"{where}.{key}", "缺少必填字段")
            return []
        value = node[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(node, key, f"{where}.{key}", "应为文字列表")
        result = []
        for index, item in enumerate(value):
            if not isinstance(item, (str, int, float)) or isinstance(item, bool):
                raise self.fail(value, index, f"{where}.{key}[{index}]", "应为文字")
            if not str(item).strip():
                raise self.fail(value, index, f"{where}.{key}[{index}]", "不能为空")
            result.append(str(item).strip())
        if required and not result:
            raise self.fail(node, key, f"{where}.{key}", "至少要有一项")
        return result

    def entries(
        self, table: dict, prefix: str, what: str
    ) -> Iterator[tuple[str, dict, str]]:
        """(id, mapping, where) of each entry of a table keyed by id."""
        for entry_id, node in table.items():
            where = f"{prefix}.{entry_id}"
            if not _ID.match(str(entry_id)):
                raise self.fail(table, entry_id, where, f"{what} id 只能用小写字母、数字和下划线")
            if not isinstance(node, dict):
                raise self.fail(table, entry_id, where, "应为键值表(mapping)")
            yield entry_id, node, where

    def unknown_keys(self, node: dict, allowed: set[str], where: str) -> None:
        for key in node:
            if key not in allowed:
                known = "、".join(sorted(allowed))
                raise self.fail(node, key, f"{where}.{key}", f"未知字段(可用:{known})")

    def regex(
        self, node: dict, key: str, where: str, items: list[str], store: str
    ) -> ExpressionSet | None:
        if not items:
            return None
        for index, item in enumerate(items):
            try:
                compile_expressions([item], store)
            except ExpressionError as error:
                raise self.fail(
                    node[key], index, f"{where}.{key}[{index}]", str(error)
                ) from error
        return compile_expressions(items, store)

    def patterns(self, node: dict, where: str, store: str) -> list[str]:
        items = self.texts(node, "patterns", where, required=False)
        for index, item in enumerate(items):
            try:
                pattern_to_spacy(item, store)
            except ExpressionError as error:
                raise self.fail(
                    node["patterns"], index, f"{where}.patterns[{index}]", str(error)
                ) from error
        return items


def _line(node: Any, key: Any) -> int:
    """1-based line of ``node[key]`` (or of ``node`` itself) in the YAML file."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return 0
    try:
        if key is None:
            return lc.line + 1
        if isinstance(key, int) and isinstance(node, list):
            return lc.item(key)[0] + 1
        return lc.key(key)[0] + 1
    except (KeyError, IndexError, TypeError, AttributeError):
        return lc.line + 1


def _read_yaml(path: Path) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError

    yaml = YAML(typ="rt")
    try:
        with path.open(encoding="utf-8") as stream:
            return yaml.load(stream)
    except FileNotFoundError as error:
        raise CatalogueError(f"{path}:0: 找不到标准库文件") from error
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        problem = error.problem or error.context or "YAML 语法错误"
        raise CatalogueError(f"{path}:{line}: (YAML): {problem}") from error


def _parse_rule(
    reader: _Reader, node: dict, where: str, rule_id: str, store: str
) -> HardRule:
    allowed = {"id", "label", "expressions", "patterns", "check", "severe"}
    reader.unknown_keys(node, allowed, where)
    label = reader.text(node, "label", where)
    check = reader.text(node, "check", where, required=False)
    if check is not None and check not in RULE_CHECKS:
        raise reader.fail(node, "check", f"{where}.check", f"只能是 {RULE_CHECKS}")
    expressions = reader.texts(node, "expressions", where, required=False)
    patterns = reader.patterns(node, where, store)
    if not expressions and not patterns and check is None:
        raise reader.fail(node, None, where, "规则需要 expressions、patterns 或 check")
    severe = node.get("severe", False)
    if not isinstance(severe, bool):
        raise reader.fail(node, "severe", f"{where}.severe", "应为 true 或 false")
    regex = reader.regex(node, "expressions", where, expressions, store)
    return HardRule(
        rule_id, label or rule_id, expressions, patterns, check, severe, regex
    )


def _parse_key_point(reader: _Reader, node: dict, where: str, store: str) -> KeyPoint:
    allowed = {"id", "label", "wording", "weight", "expressions", "patterns"}
    reader.unknown_keys(node, allowed | {"optional", "amount", "opposites"}, where)
    kp_id = reader.text(node, "id", where)
    if not _ID.match(kp_id or ""):
        raise reader.fail(node, "id", f"{where}.id", "只能用小写字母、数字和下划线")
    weight = node.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
        raise reader.fail(node, "weight", f"{where}.weight", "权重必须是正数")
    amount = reader.text(node, "amount", where, required=False)
    if amount is not None and amount not in AMOUNT_ROLES:
        raise reader.fail(node, "amount", f"{where}.amount", f"只能是 {AMOUNT_ROLES}")
    optional = node.get("optional", False)
    if not isinstance(optional, bool):
        raise reader.fail(node, "optional", f"{where}.optional", "应为 true 或 false")
    expressions = reader.texts(
        node, "expressions", where, required=not node.get("patterns")
    )
    patterns = reader.patterns(node, where, store)
    opposites = reader.texts(node, "opposites", where, required=False)
    return KeyPoint(
        id=kp_id,
        label=reader.text(node, "label", where),
        wording=reader.text(node, "wording", where),
        weight=float(weight),
        expressions=expressions,
        patterns=patterns,
        optional=optional,
        amount=amount,
        opposites=opposites,
        regex=reader.regex(node, "expressions", where, expressions, store),
        opposites_regex=reader.regex(node, "opposites", where, opposites, store),
    )


def _parse_situation(
    reader: _Reader,
    node: dict,
    sit_id: str,
    library: dict[str, HardRule],
    courtesy: list[str],
    store: str,
) -> Situation:
    where = f"situations.{sit_id}"
    allowed = {"title", "customer_type", "manual", "standard", "key_points"}
    reader.unknown_keys(node, allowed | {"hard_rules", "courtesy"}, where)
    phrases = [
        p.replace("{store_name}", store) for p in reader.texts(node, "standard", where)
    ]
    key_points: list[KeyPoint] = []
    raw_points = node.get("key_points")
    if raw_points is not None:
        if not isinstance(raw_points, list):
            raise reader.fail(node, "key_points", f"{where}.key_points", "应为列表")
        seen: set[str] = set()
        for index, item in enumerate(raw_points):
            item_where = f"{where}.key_points[{index}]"
            if not isinstance(item, dict):
                raise reader.fail(raw_points, index, item_where, "应为键值表(mapping)")
            point = _parse_key_point(reader, item, item_where, store)
            if point.id in seen:
                raise reader.fail(
                    item, "id", f"{item_where}.id", f"重复的要点 id:{point.id}"
                )
            seen.add(point.id)
            key_points.append(point)
    rules: list[HardRule] = []
    raw_rules = node.get("hard_rules") or []
    if not isinstance(raw_rules, list):
        raise reader.fail(node, "hard_rules", f"{where}.hard_rules", "应为列表")
    for index, item in enumerate(raw_rules):
        item_where = f"{where}.hard_rules[{index}]"
        if isinstance(item, str):
            if item not in library:
                raise reader.fail(raw_rules, index, item_where, f"未定义的规则:{item}")
            rules.append(library[item])
        elif isinstance(item, dict):
            rule_id = reader.text(item, "id", item_where)
            rules.append(_parse_rule(reader, item, item_where, rule_id, store))
        else:
            raise reader.fail(raw_rules, index, item_where, "应为规则 id 或规则定义")
    own_courtesy = reader.texts(node, "courtesy", where, required=False)
    markers = own_courtesy or courtesy
    return Situation(
        id=sit_id,
        title=reader.text(node, "title", where),
        customer_type=reader.text(node, "customer_type", where),
        manual_ref=reader.text(node, "manual", where),
        standard_phrases=phrases,
        key_points=key_points,
        rules=rules,
        courtesy_markers=markers,
        auto=not key_points,
        courtesy_regex=reader.regex(
            node if own_courtesy else {"courtesy": markers},
            "courtesy",
            where,
            markers,
            store,
        ),
    )


def parse_catalogue(path: Path, store_name: str | None = None) -> Catalogue:
    """Read and validate a catalogue file (no caching)."""
    reader = _Reader(path)
    root = _read_yaml(path)
    if not isinstance(root, dict):
        raise CatalogueError(f"{path}:1: (根): 文件应为键值表,包含 version 和 situations")
    allowed = {"version", "pass_mark", "store_name", "courtesy_markers", "situations"}
    extra = {"hard_rules", "default_hard_rules", "common_hard_rules"}
    reader.unknown_keys(root, allowed | extra, "(根)")
    version = reader.text(root, "version", "(根)")
    pass_mark = root.get("pass_mark", 60)
    if (
        isinstance(pass_mark, bool)
        or not isinstance(pass_mark, int)
        or not 0 <= pass_mark <= 100
    ):
        raise reader.fail(root, "pass_mark", "pass_mark", "及格线应为 0-100 的整数")
    store = (
        store_name
        or os.environ.get("STORE_NAME")
        or reader.text(root, "store_name", "(根)", required=False)
        or "欧派"
    )
    courtesy = reader.texts(root, "courtesy_markers", "(根)", required=False)
    library: dict[str, HardRule] = {}
    raw_library = root.get("hard_rules") or {}
    if not isinstance(raw_library, dict):
        raise reader.fail(root, "hard_rules", "hard_rules", "应为以规则 id 为键的键值表")
    for rule_id, node, where in reader.entries(raw_library, "hard_rules", "规则"):
        library[rule_id] = _parse_rule(reader, node, where, rule_id, store)
    default_rules = _rule_ids(reader, root, "default_hard_rules", library)
    common_rules = _rule_ids(reader, root, "common_hard_rules", library)
    raw_situations = root.get("situations")
    if not isinstance(raw_situations, dict) or not raw_situations:
        raise reader.fail(
            root,
            "situations" if "situations" in root else None,
            "situations",
            "缺少情境(situations)",
        )
    situations: dict[str, Situation] = {}
    for sit_id, node, _ in reader.entries(raw_situations, "situations", "情境"):
        situations[sit_id] = _parse_situation(
            reader, node, sit_id, library, courtesy, store
        )
    catalogue = Catalogue(
        version=version,
        pass_mark=pass_mark,
        store_name=store,
        situations=situations,
        hard_rules=library,
        courtesy_markers=courtesy,
        default_rules=default_rules,
        path=path,
        common_rules=common_rules,
        courtesy_regex=compile_expressions(courtesy, store) if courtesy else None,
    )
    from .auto import derive_key_points  # needs jieba: only for auto situations

    for situation in situations.values():
        if situation.auto:  # a trainer's phrase only: the default rules
            situation.key_points = derive_key_points(
                situation.standard_phrases[0], catalogue
            )
            if not situation.rules:
                situation.rules = [library[r] for r in default_rules]
        else:
            situation.rules = with_common_rules(situation.rules, catalogue)
    return catalogue


def _rule_ids(
    reader: _Reader, root: dict, key: str, library: dict[str, HardRule]
) -> list[str]:
    """A root-level list of rule ids, each defined in ``hard_rules``."""
    rule_ids = reader.texts(root, key, "(根)", required=False)
    for index, rule_id in enumerate(rule_ids):
        if rule_id not in library:
            raise reader.fail(root[key], index, f"{key}[{index}]", f"未定义的规则:{rule_id}")
    return rule_ids


def with_common_rules(rules: list[HardRule], catalogue: Catalogue) -> list[HardRule]:
    """A situation's own rules first, then the common ones it does not list."""
    own = {rule.id for rule in rules}
    common = [
        catalogue.hard_rules[rule_id]
        for rule_id in catalogue.common_rules
        if rule_id not in own
    ]
    return rules + common


_cache: dict[tuple[str, float, str], Catalogue] = {}
_cache_lock = threading.Lock()


def resolve_path(path: str | os.PathLike[str] | None = None) -> Path:
    chosen = path or os.environ.get("STANDARDS_PATH") or DEFAULT_PATH
    return Path(chosen).expanduser().resolve()


def load_catalogue(path: str | os.PathLike[str] | None = None) -> Catalogue:
    """Load (once per path, store name and file version) and validate a catalogue.

    ``path`` defaults to ``$STANDARDS_PATH`` or ``<project>/data/standards.yml``.
    """
    resolved = resolve_path(path)
    try:
        mtime = resolved.stat().st_mtime
    except FileNotFoundError as error:
        raise CatalogueError(f"{resolved}:0: 找不到标准库文件") from error
    key = (str(resolved), mtime, os.environ.get("STORE_NAME", ""))
    with _cache_lock:
        cached = _cache.get(key)
        if cached is None:
            cached = parse_catalogue(resolved)
            if len(_cache) > 16:  # old versions of edited files
                _cache.clear()
            _cache[key] = cached
        return cached
