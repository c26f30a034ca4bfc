"""``python -m actions.scoring``: JSON Lines and CSV, per-line errors, exit status."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]

GOOD = {
    "id": "a1",
    "situation": "checkout",
    "reply": "一共3860元,收您4000元,找您140元,谢谢!",
    "context": {"total": 3860, "paid": 4000},
}
MIXED_LINES = [
    json.dumps(GOOD, ensure_ascii=False),
    "{这不是 JSON",
    json.dumps({"id": "a3", "situation": "no_such_situation", "reply": "您好"}),
    json.dumps({"id": "a4", "situation": "bargain", "reply": "   "}),
    "",
    json.dumps(
        {"id": "a5", "standard": "您好,需要介绍吗?", "reply": "您好,要不要我给您介绍一下?"},
        ensure_ascii=False,
    ),
    json.dumps(
        {"id": "a6", "situation": "bargain", "reply": "对不起,本店统一定价,不过我偷偷给您便宜三百"},
        ensure_ascii=False,
    ),
    json.dumps({"id": "a7", "reply": "没有情境"}, ensure_ascii=False),
]


def run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    env.pop("STANDARDS_PATH", None)
    return subprocess.run(
        [sys.executable, "-m", "actions.scoring", *args],
        input=stdin.encode("utf-8"),
        capture_output=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=300,
    )


def test_mixed_good_and_malformed_lines():
    done = run_cli(stdin="\n".join(MIXED_LINES) + "\n")
    assert done.returncode == 1
    out = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert [o.get("id") for o in out] == ["a1", None, "a3", "a4", "a5", "a6", "a7"]
    good = out[0]
    assert good["situation"] == "checkout" and good["passed"] is True
    assert good["score"] >= 85
    for key in ("hits", "misses", "violations", "feedback", "standard"):
        assert key in good
    assert "error" in out[1] and out[1]["line"] == 2
    assert "no_such_situation" in out[2]["error"]
    assert "为空" in out[3]["error"]
    assert out[4]["score"] >= 80 and out[4]["situation"] is None
    assert out[5]["passed"] is False and out[5]["violations"]
    assert "situation" in out[6]["error"]


def test_all_good_lines_exit_zero(tmp_path):
    source = tmp_path / "in.jsonl"
    target = tmp_path / "out.jsonl"
    source.write_text(json.dumps(GOOD, ensure_ascii=False) + "\n", encoding="utf-8")
    done = run_cli("--input", str(source), "--output", str(target), "--pass-mark", "90")
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    result = json.loads(target.read_text(encoding="utf-8"))
    assert result["id"] == "a1" and result["score"] >= 85


def test_csv_in_and_out_with_bom(tmp_path):
    source = tmp_path / "answers.csv"
    target = tmp_path / "graded.csv"
    rows = [
        ["id", "situation", "reply", "total", "paid"],
        ["c1", "checkout", "一共3860元,收您4000元,找您140元,谢谢!", "3860", "4000"],
        ["c2", "bargain", "实在对不起,我们是统一定价,价格一步到位,大品牌,售后有保障。", "", ""],
        ["c3", "bargain", "", "", ""],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    source.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
    done = run_cli("--input", str(source), "--output", str(target))
    assert done.returncode == 1  # c3 has no reply
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    graded = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row["id"] for row in graded] == ["c1", "c2", "c3"]
    assert int(graded[0]["score"]) >= 85 and graded[0]["passed"] == "是"
    assert int(graded[1]["score"]) >= 80
    assert graded[2]["error"] and not graded[2]["score"]


def test_progress_bar_only_for_large_inputs():
    small = run_cli(stdin=json.dumps(GOOD, ensure_ascii=False) + "\n")
    assert "评分" not in small.stderr.decode("utf-8", "replace")
    many = "\n".join(
        json.dumps({**GOOD, "id": f"n{i}"}, ensure_ascii=False) for i in range(250)
    )
    large = run_cli(stdin=many + "\n")
    assert large.returncode == 0
    assert "评分" in large.stderr.decode("utf-8", "replace")
    assert len(large.stdout.decode("utf-8").splitlines()) == 250
