"""Scenario files: the shipped library, the validator's file:line reports and the lint CLI."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from actions import scenarios
from actions.scenarios import (
    CONTRACT_SITUATIONS,
    DEFAULT_PASS_MARK,
    DEFAULT_SCENARIOS_DIR,
    DIFFICULTIES,
    Problem,
    ScenarioError,
    fill_placeholders,
    lint_paths,
    load_scenario,
    load_scenarios,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHIPPED_FILES = sorted(DEFAULT_SCENARIOS_DIR.glob("*.yml"))
PROBLEM_LINE = re.compile(r"^(?P<file>.+\.ya?ml):(?P<line>\d+): (?P<message>.+)$")
MARK = "#<"  # ends the line a broken-file case expects its problem on

VALID = textwrap.dedent(
    """\
    id: {stem}
    title: 沙发能不能再便宜点
    difficulty: {difficulty}
    description: 一位精打细算的顾客看中了沙发,反复要求打折。
    customer:
      name: 王姐
      avatar: "👩"
      type: bargain
      psychology: [廉价心理, 比较选择心理]
      mood: 精打细算,有点急
    patience: 3
    products:
      - {{name: 三人位布艺沙发, price: 3860}}
    turns:
      - situation: bargain
        lines:
          - 这沙发3860?能不能便宜点,打个八折我就拿了。
          - 你给我抹个零,3500我马上付钱。
          - 便宜个三五百的,我今天就定。
        pushback:
          - 你这也太死板了吧,别家都能打折。
        good_reaction:
          - 哦,统一价啊,那行吧。
      - situation: checkout
        lines:
          - 行,3860,给你4000。
          - 这是4000,你找钱吧。
          - 给你4000现金。
        context: {{total: 3860, paid: 4000}}
        pushback:
          - 找我多少来着?
    ending:
      success:
        - 行,那就这么定了,谢谢你啊。
      walkout:
        - 算了,我去别家看看。
    """
)


def valid_text(stem: str = "bargain_sofa", difficulty: str = "初级") -> str:
    return VALID.format(stem=stem, difficulty=difficulty)


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def marked_line(text: str) -> int:
    numbers = [n for n, line in enumerate(text.splitlines(), 1) if line.endswith(MARK)]
    assert len(numbers) == 1, "a case marks exactly one line"
    return numbers[0]


# --- the shipped scenarios ------------------------------------------------------------


def test_shipped_library_loads_clean() -> None:
    library = load_scenarios(DEFAULT_SCENARIOS_DIR)
    assert library.problems == []
    assert len(library) == len(SHIPPED_FILES) >= 16


def test_shipped_library_covers_every_situation_and_difficulty() -> None:
    library = load_scenarios(DEFAULT_SCENARIOS_DIR)
    covered = {turn.situation for scenario in library for turn in scenario.turns}
    assert covered == set(CONTRACT_SITUATIONS)
    assert {scenario.difficulty for scenario in library} == set(DIFFICULTIES)


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda path: path.stem)
def test_shipped_scenario_is_well_formed(path: Path) -> None:
    assert lint_paths([path]) == []
    scenario = load_scenario(path)
    assert scenario.id == path.stem
    assert 2 <= len(scenario.turns) <= 5
    for turn in scenario.turns:
        assert len(set(turn.lines)) >= 3


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda path: path.stem)
def test_shipped_checkout_lines_match_their_amounts(path: Path) -> None:
    """What the customer hands over must be what the scorer checks the change against."""
    for turn in load_scenario(path).turns:
        if turn.situation == "checkout":
            assert turn.context["paid"] >= turn.context["total"]
            for line in turn.lines:
                assert str(turn.context["paid"]) in line, line


def test_harder_scenarios_have_less_patience_and_more_turns() -> None:
    groups = load_scenarios(DEFAULT_SCENARIOS_DIR).by_difficulty()
    beginner, advanced = groups["初级"], groups["高级"]
    assert max(s.patience for s in advanced) < min(s.patience for s in beginner)
    assert max(s.pass_mark for s in beginner) < min(s.pass_mark for s in advanced)

    def mean_turns(group: list) -> float:
        return sum(len(s.turns) for s in group) / len(group)

    assert mean_turns(advanced) > mean_turns(beginner)


def test_phone_scenario_answers_with_the_configured_store_name() -> None:
    library = load_scenarios(DEFAULT_SCENARIOS_DIR)
    phone_turns = [
        turn
        for scenario in library
        for turn in scenario.turns
        if turn.situation == "phone_greeting"
    ]
    assert phone_turns
    said = [*phone_turns[0].pushback, *phone_turns[0].good_reaction]
    assert any("{store_name}" in line for line in said)
    assert fill_placeholders("喂?请问是{store_name}吗?", "顾家") == "喂?请问是顾家吗?"
    assert fill_placeholders("喂?请问是{store_name}吗?") == "喂?请问是欧派吗?"


def test_two_customers_scenario_calls_out_then_comes_back() -> None:
    scenario = load_scenario(DEFAULT_SCENARIOS_DIR / "two_customers_at_once.yml")
    waiting = [turn for turn in scenario.turns if turn.situation == "serve_waiting"]
    assert [turn.context.get("phase") for turn in waiting] == ["call", "return"]


# --- broken files: every problem at its file and line ----------------------------------

BROKEN_CASES = [
    # (case id, text of the valid file, its replacement, message fragment, line to mark
    # when the replacement itself cannot carry the mark)
    ("yaml_syntax", "title: 沙发能不能再便宜点", "title: 沙发: 便宜 #<", "YAML 语法错误", None),
    ("yaml_tab", "  name: 王姐", "\tname: 王姐 #<", "YAML 语法错误", None),
    (
        "duplicate_key",
        "patience: 3",
        "patience: 3\npatience: 4 #<",
        "duplicate key",
        None,
    ),
    (
        "unknown_top_key",
        "description:",
        "descripton: x #<\ndescription:",
        "descripton: 未知的键,是不是 'description'",
        None,
    ),
    ("unknown_turn_key", "    good_reaction:", "    reaction: #<", "未知的键", None),
    (
        "missing_customer_key",
        "  mood: 精打细算,有点急\n",
        "",
        "customer.mood: 缺少必填的键",
        "customer:",
    ),
    ("missing_top_key", "ending:", "finale:", "ending: 缺少必填的键", "id: bargain_sofa"),
    (
        "wrong_type_patience",
        "patience: 3",
        "patience: 三 #<",
        "patience 应是 1 到 10",
        None,
    ),
    ("zero_patience", "patience: 3", "patience: 0 #<", "patience", None),
    ("bool_is_not_a_number", "patience: 3", "patience: true #<", "patience", None),
    (
        "pass_mark_range",
        "patience: 3",
        "patience: 3\npass_mark: 120 #<",
        "pass_mark",
        None,
    ),
    ("lines_not_a_list", "    lines:\n", "    lines: 就一句 #<\n    old:\n", "应是列表", None),
    (
        "too_few_variants",
        "      - 便宜个三五百的,我今天就定。\n",
        "",
        "至少需要 3 个不同的说法,现在只有 2 个",
        "    lines:",
    ),
    (
        "repeated_variant",
        "      - 便宜个三五百的,我今天就定。",
        "      - 你给我抹个零,3500我马上付钱。 #<",
        "重复",
        None,
    ),
    (
        "empty_pushback",
        "    pushback:\n      - 找我多少来着?",
        "    pushback: [] #<",
        "pushback 至少需要 1 个",
        None,
    ),
    (
        "unknown_situation",
        "  - situation: checkout",
        "  - situation: chekout #<",
        "未知的取值 'chekout',是不是 'checkout'",
        None,
    ),
    (
        "unknown_customer_type",
        "  type: bargain",
        "  type: haggle #<",
        "customer.type",
        None,
    ),
    (
        "unknown_psychology",
        "  psychology: [廉价心理, 比较选择心理]",
        "  psychology: [廉价, 比较选择心理] #<",
        "应写作 '廉价心理'",
        None,
    ),
    ("unknown_difficulty", "difficulty: 初级", "difficulty: 简单 #<", "未知的取值 '简单'", None),
    ("id_not_file_name", "id: bargain_sofa", "id: sofa_bargain #<", "与文件名", None),
    (
        "id_not_snake_case",
        "id: bargain_sofa",
        "id: Bargain-Sofa #<",
        "snake_case",
        None,
    ),
    (
        "checkout_without_context",
        "    context: {total: 3860, paid: 4000}\n",
        "",
        "需要 context",
        "  - situation: checkout",
    ),
    (
        "checkout_without_paid",
        "context: {total: 3860, paid: 4000}",
        "context: {total: 3860} #<",
        "缺少 'paid'",
        None,
    ),
    (
        "checkout_paid_below_total",
        "context: {total: 3860, paid: 4000}",
        "context: {total: 3860, paid: 3000} #<",
        "不能少于",
        None,
    ),
    ("negative_price", "price: 3860}", "price: -1} #<", "price 应是大于 0", None),
    (
        "comma_splits_a_flow_line",
        "  walkout:\n    - 算了,我去别家看看。",
        "  walkout: [算了,我去别家看看。] #<",
        "半角逗号",
        None,
    ),
    (
        "unknown_placeholder",
        "      - 找我多少来着?",
        "      - 这是{shop}吗? #<",
        "未知的占位符 {shop}",
        None,
    ),
    (
        "placeholder_outside_speech",
        "title: 沙发能不能再便宜点",
        "title: '{store_name}的沙发' #<",
        "只能用在顾客说的话里",
        None,
    ),
    ("avatar_not_emoji", '  avatar: "👩"', "  avatar: 王 #<", "表情符号", None),
]


@pytest.mark.parametrize(
    ("old", "new", "fragment", "mark_at"),
    [case[1:] for case in BROKEN_CASES],
    ids=[case[0] for case in BROKEN_CASES],
)
def test_broken_file_reports_problem_at_its_line(
    tmp_path: Path, old: str, new: str, fragment: str, mark_at: str | None
) -> None:
    valid = valid_text()
    assert old in valid
    text = valid.replace(old, new, 1)
    if mark_at is not None:
        assert mark_at + "\n" in text
        text = text.replace(mark_at + "\n", f"{mark_at} {MARK}\n", 1)
    path = write(tmp_path, "bargain_sofa.yml", text)

    problems = lint_paths([path])

    assert any(
        problem.file == str(path)
        and problem.line == marked_line(text)
        and fragment in problem.message
        for problem in problems
    ), problems
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert raised.value.problems == problems


def test_valid_template_is_clean(tmp_path: Path) -> None:
    """The broken cases above are one change away from a file that passes."""
    path = write(tmp_path, "bargain_sofa.yml", valid_text())
    assert lint_paths([path]) == []
    scenario = load_scenario(path)
    assert scenario.pass_mark == DEFAULT_PASS_MARK
    assert scenario.turns[1].context == {"total": 3860, "paid": 4000}
    assert scenario.products[0].name == "三人位布艺沙发"
    assert scenario.situations == ("bargain", "checkout")


def test_every_problem_of_a_file_is_reported(tmp_path: Path) -> None:
    text = (
        valid_text()
        .replace("difficulty: 初级", "difficulty: 简单")
        .replace("  type: bargain", "  type: haggle")
        .replace("  - situation: checkout", "  - situation: chekout")
    )
    path = write(tmp_path, "bargain_sofa.yml", text)
    lines = text.splitlines()
    expected = {
        lines.index("difficulty: 简单") + 1,
        lines.index("  type: haggle") + 1,
        lines.index("  - situation: chekout") + 1,
    }
    assert {problem.line for problem in lint_paths([path])} == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("", "文件是空的"), ("- a\n- b\n", "顶层应是键值映射"), ("\udcff", "UTF-8")],
    ids=["empty", "top_level_list", "not_utf8"],
)
def test_unusable_file_is_reported_at_line_one(
    tmp_path: Path, text: str, fragment: str
) -> None:
    path = tmp_path / "odd.yml"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    problems = lint_paths([path])
    assert [problem.line for problem in problems] == [1]
    assert fragment in problems[0].message


# --- the library -----------------------------------------------------------------------


def test_library_skips_broken_files_and_keeps_the_rest(tmp_path: Path) -> None:
    write(tmp_path, "zeta_sofa.yml", valid_text("zeta_sofa", "初级"))
    write(tmp_path, "alpha_sofa.yml", valid_text("alpha_sofa", "高级"))
    write(tmp_path, "beta_sofa.yml", valid_text("beta_sofa", "初级"))
    write(tmp_path, "mid_sofa.yml", valid_text("mid_sofa", "中级"))
    broken = write(tmp_path, "broken_sofa.yml", "id: broken_sofa\ntitle: [\n")
    write(tmp_path, "notes.txt", "not a scenario")

    library = load_scenarios(tmp_path)

    assert list(library.scenarios) == [
        "beta_sofa",
        "zeta_sofa",
        "mid_sofa",
        "alpha_sofa",
    ]
    assert "broken_sofa" not in library
    assert library.problems
    assert {problem.file for problem in library.problems} == {str(broken)}


def test_duplicate_ids_keep_the_first_file(tmp_path: Path) -> None:
    first = write(tmp_path, "bargain_sofa.yaml", valid_text())
    second = write(tmp_path, "bargain_sofa.yml", valid_text())

    library = load_scenarios(tmp_path)

    assert library.scenarios["bargain_sofa"].source == str(first)
    assert [(p.file, p.line) for p in library.problems] == [(str(second), 1)]
    assert "重复" in library.problems[0].message


def test_missing_directory_gives_an_empty_library(tmp_path: Path) -> None:
    library = load_scenarios(tmp_path / "nowhere")
    assert len(library) == 0
    assert library.problems[0].message == "场景目录不存在"


def test_scenarios_dir_env_overrides_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "only_one.yml", valid_text("only_one"))
    monkeypatch.setenv("SCENARIOS_DIR", str(tmp_path))
    assert list(load_scenarios().scenarios) == ["only_one"]


def test_situations_fall_back_to_the_contract_without_a_scorer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "actions.scoring", None)  # import now fails
    assert scenarios.known_situations() == frozenset(CONTRACT_SITUATIONS)


def test_situations_come_from_the_scorer_catalogue_when_it_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = types.ModuleType("actions.scoring")
    fake.load_catalogue = lambda path=None: types.SimpleNamespace(  # type: ignore[attr-defined]
        situations={"bargain": object(), "new_standard": object()}
    )
    monkeypatch.setitem(sys.modules, "actions.scoring", fake)
    assert scenarios.known_situations() == {"bargain", "new_standard"}

    def broken(path=None):
        raise ValueError("standards.yml:3: 坏了")

    fake.load_catalogue = broken  # type: ignore[attr-defined]
    assert scenarios.known_situations() == frozenset(CONTRACT_SITUATIONS)


def test_a_file_named_twice_is_linted_once(tmp_path: Path) -> None:
    path = write(tmp_path, "bargain_sofa.yml", valid_text())
    assert lint_paths([path, tmp_path, str(path)]) == []


def test_situations_can_be_given_explicitly(tmp_path: Path) -> None:
    path = write(tmp_path, "bargain_sofa.yml", valid_text())
    problems = lint_paths([path], situations={"bargain"})
    assert len(problems) == 1
    assert (
        problems[0].line
        == valid_text().splitlines().index("  - situation: checkout") + 1
    )
    assert "第2轮 situation: 未知的取值 'checkout'" in problems[0].message


# --- the lint command ------------------------------------------------------------------


def run_lint(*paths: Path | str, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "actions.scenarios", "lint", *map(str, paths)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_lint_cli_passes_on_the_shipped_scenarios() -> None:
    result = run_lint()
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert f"检查了 {len(SHIPPED_FILES)} 个场景文件" in result.stderr


def test_lint_cli_prints_every_problem_as_file_line_message(tmp_path: Path) -> None:
    good = write(tmp_path, "good_sofa.yml", valid_text("good_sofa"))
    bad = write(
        tmp_path,
        "bad_sofa.yml",
        valid_text("bad_sofa").replace("patience: 3", "patience: 0"),
    )
    syntax = write(tmp_path, "syntax_sofa.yml", "id: syntax_sofa\ntitle: a: b\n")

    result = run_lint(tmp_path)

    assert result.returncode == 1
    parsed = [PROBLEM_LINE.match(line) for line in result.stdout.splitlines()]
    assert parsed and all(parsed), result.stdout
    reported = {(m["file"], int(m["line"])) for m in parsed}
    assert (str(bad), valid_text().splitlines().index("patience: 3") + 1) in reported
    assert (str(syntax), 2) in reported
    assert str(good) not in {m["file"] for m in parsed}
    assert "发现 " in result.stderr


def test_lint_cli_reports_a_missing_path(tmp_path: Path) -> None:
    result = run_lint(tmp_path / "missing.yml")
    assert result.returncode == 1
    assert result.stdout.strip() == f"{tmp_path / 'missing.yml'}:1: 文件不存在"


def test_problem_prints_as_file_line_message() -> None:
    assert str(Problem("a.yml", 7, "出错了")) == "a.yml:7: 出错了"
