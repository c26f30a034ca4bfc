"""The scenario example trainers copy from the README must itself be a valid scenario."""

import re
from pathlib import Path

from actions.scenarios import lint_paths

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_scenario_example_lints_clean(tmp_path):
    block = re.search(r"```yaml\n(id: (\w+)\n.*?)```", README.read_text("utf-8"), re.S)
    assert block, "README lost its scenario example"
    path = tmp_path / f"{block.group(2)}.yml"
    path.write_text(block.group(1), encoding="utf-8")
    assert lint_paths([path]) == []
