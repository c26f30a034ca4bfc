"""Benchmark the reply scorer against expert grades, beside a naive baseline.

    .venv/bin/python benchmarks/scoring_benchmark.py [--auto] [--errors]

Reads tests/data/graded_replies.jsonl (one JSON object per line: id, situation,
reply, optional context, grade 0-100, kind, split "dev"|"holdout") and prints for
each split, for the scorer and for a character n-gram cosine baseline: Spearman's
rho, band accuracy (<60 / 60-79 / >=80), breach catch rate (kind "breach" scored
< 60) and paraphrase pass rate (kind "paraphrase" passed).  Then speed: median ms
per reply after start-up, 1,000 replies in bulk, one 20,000-character reply.

``--auto`` adds the same table for auto mode (each reply scored against its
situation's first standard phrase only).  ``--errors`` lists the *dev* lines the
scorer disagrees with most (for tuning; the holdout split is never listed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from actions.scoring import (  # noqa: E402
    load_catalogue,
    score_against_phrase,
    score_reply,
)
from actions.scoring.engine import render_standard  # noqa: E402
from actions.scoring.similarity import char_ngrams, cosine  # noqa: E402

DATA = PROJECT_ROOT / "tests" / "data" / "graded_replies.jsonl"
TARGETS = {
    "spearman": 0.85,
    "band_accuracy": 0.80,
    "breach_catch": 1.00,
    "paraphrase_pass": 0.90,
}
SPEED_TARGETS = {"median_ms": 5.0, "bulk_1000_s": 2.0, "long_reply_ms": 200.0}
PASS_MARK = 60


def load_lines(path: Path) -> list[dict[str, Any]]:
    lines = []
    with path.open(encoding="utf-8") as stream:
        for number, raw in enumerate(stream, 1):
            raw = raw.strip()
            if not raw:
                continue
            try:
                lines.append(json.loads(raw))
            except json.JSONDecodeError as error:
                print(f"{path}:{number}: 跳过无法解析的行:{error}", file=sys.stderr)
    return lines


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            result[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return result


def spearman(first: Sequence[float], second: Sequence[float]) -> float:
    if len(first) < 2:
        return float("nan")
    a, b = ranks(first), ranks(second)
    mean_a, mean_b = statistics.fmean(a), statistics.fmean(b)
    cov = sum((x - mean_a) * (y - mean_b) for x, y in zip(a, b, strict=True))
    var_a = sum((x - mean_a) ** 2 for x in a)
    var_b = sum((y - mean_b) ** 2 for y in b)
    return cov / (var_a * var_b) ** 0.5 if var_a and var_b else float("nan")


def band(score: float) -> int:
    return 0 if score < 60 else 1 if score < 80 else 2


def metrics(lines: list[dict[str, Any]], scores: list[float]) -> dict[str, float]:
    grades = [float(line["grade"]) for line in lines]
    bands = [band(s) == band(g) for s, g in zip(scores, grades, strict=True)]
    breach = [
        s < PASS_MARK
        for s, line in zip(scores, lines, strict=True)
        if line.get("kind") == "breach"
    ]
    para = [
        s >= PASS_MARK
        for s, line in zip(scores, lines, strict=True)
        if line.get("kind") == "paraphrase"
    ]
    return {
        "n": len(lines),
        "spearman": spearman(scores, grades),
        "band_accuracy": sum(bands) / len(bands) if bands else float("nan"),
        "breach_catch": sum(breach) / len(breach) if breach else float("nan"),
        "paraphrase_pass": sum(para) / len(para) if para else float("nan"),
    }


def baseline_score(line: dict[str, Any], catalogue: Any) -> float:
    situation = catalogue.situations[line["situation"]]
    phrase = render_standard(situation, line.get("context"))
    return round(100 * cosine(char_ngrams(line["reply"]), char_ngrams(phrase)))


def scorer_score(line: dict[str, Any], catalogue: Any) -> float:
    return score_reply(
        line["situation"], line["reply"], line.get("context"), catalogue=catalogue
    ).score


def auto_score(line: dict[str, Any], catalogue: Any) -> float:
    situation = catalogue.situations[line["situation"]]
    phrase = render_standard(situation, line.get("context"))
    return score_against_phrase(
        phrase, line["reply"], line.get("context"), catalogue
    ).score


def table(
    title: str, columns: dict[str, dict[str, float]], targets: dict[str, float]
) -> str:
    names = list(columns)
    rows = [
        f"{title}",
        f"  {'metric':<17}" + "".join(f"{n:>12}" for n in names) + f"{'target':>10}",
    ]
    first = next(iter(columns.values()))
    rows.append(
        f"  {'lines':<17}" + "".join(f"{int(columns[n]['n']):>12d}" for n in names)
    )
    for key in ("spearman", "band_accuracy", "breach_catch", "paraphrase_pass"):
        cells = "".join(f"{columns[n][key]:>12.3f}" for n in names)
        mark = ">=" if key in targets else ""
        rows.append(f"  {key:<17}{cells}{mark + format(targets[key], '.2f'):>10}")
    del first
    return "\n".join(rows)


def evaluate(
    lines: list[dict[str, Any]],
    scorers: dict[str, Callable[[dict[str, Any], Any], float]],
    catalogue: Any,
) -> dict[str, dict[str, dict[str, float]]]:
    report: dict[str, dict[str, dict[str, float]]] = {}
    for split in ("dev", "holdout"):
        chosen = [line for line in lines if line.get("split") == split]
        if not chosen:
            continue
        report[split] = {
            name: metrics(chosen, [fn(line, catalogue) for line in chosen])
            for name, fn in scorers.items()
        }
    return report


def speed(lines: list[dict[str, Any]], catalogue: Any) -> dict[str, float]:
    for line in lines[:20]:  # warm-up: jieba, spaCy, matchers
        scorer_score(line, catalogue)
    timings = []
    for line in lines:
        start = time.perf_counter()
        scorer_score(line, catalogue)
        timings.append((time.perf_counter() - start) * 1000)
    bulk = [lines[i % len(lines)] for i in range(1000)]
    start = time.perf_counter()
    for line in bulk:
        scorer_score(line, catalogue)
    bulk_seconds = time.perf_counter() - start
    sentence = "实在不好意思,我们这边是全国统一定价的,价格已经一步到位了,大品牌,售后您放心。"
    long_reply = (sentence * (20_000 // len(sentence) + 1))[:20_000]
    long_timings = []
    for _ in range(5):
        start = time.perf_counter()
        score_reply("bargain", long_reply, catalogue=catalogue)
        long_timings.append((time.perf_counter() - start) * 1000)
    return {
        "median_ms": statistics.median(timings),
        "bulk_1000_s": bulk_seconds,
        "long_reply_ms": statistics.median(long_timings),
    }


def show_errors(lines: list[dict[str, Any]], catalogue: Any, limit: int) -> None:
    dev = [line for line in lines if line.get("split") == "dev"]
    scored = []
    for line in dev:
        result = score_reply(
            line["situation"], line["reply"], line.get("context"), catalogue=catalogue
        )
        scored.append((abs(result.score - line["grade"]), line, result))
    scored.sort(key=lambda item: -item[0])
    for gap, line, result in scored[:limit]:
        print(
            f"[{line['kind']}] {line['situation']} grade={line['grade']} score={result.score} "
            f"gap={gap}\n  {line['reply']}\n  hits={[h['id'] for h in result.hits]} "
            f"viol={[(v['id'], v['matched']) for v in result.violations]} {result.signals}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--auto", action="store_true", help="also report auto mode")
    parser.add_argument(
        "--errors",
        type=int,
        nargs="?",
        const=25,
        default=0,
        help="list the N worst dev lines (dev split only)",
    )
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--split", choices=("dev", "holdout"), help="only this split")
    args = parser.parse_args(argv)

    catalogue = load_catalogue()
    lines = [
        line
        for line in load_lines(args.data)
        if line.get("situation") in catalogue.situations
    ]
    if not lines:
        print(f"{args.data}: 没有可评测的行", file=sys.stderr)
        return 1
    print(
        f"rubric {catalogue.version} · {args.data.relative_to(PROJECT_ROOT) if args.data.is_relative_to(PROJECT_ROOT) else args.data}"
    )
    scorers: dict[str, Callable[[dict[str, Any], Any], float]] = {
        "scorer": scorer_score,
        "baseline": baseline_score,
    }
    if args.auto:
        scorers["auto"] = auto_score
    if args.split:
        lines = [line for line in lines if line.get("split") == args.split]
    for split, columns in evaluate(lines, scorers, catalogue).items():
        print(table(f"\n[{split}]", columns, TARGETS))
    if not args.no_speed:
        measured = speed(lines, catalogue)
        print("\n[speed]")
        print(
            f"  median per reply   {measured['median_ms']:8.2f} ms   (target <= {SPEED_TARGETS['median_ms']:.0f} ms)"
        )
        print(
            f"  1,000 replies      {measured['bulk_1000_s']:8.2f} s    (target <= {SPEED_TARGETS['bulk_1000_s']:.0f} s)"
        )
        print(
            f"  20,000-char reply  {measured['long_reply_ms']:8.1f} ms   (target <= {SPEED_TARGETS['long_reply_ms']:.0f} ms)"
        )
    if args.errors:
        print("\n[dev disagreements]")
        show_errors(lines, catalogue, args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
