"""NLU quality: held-out test set and 5-fold cross-validation, through `rasa test nlu`.

Prints macro-F1, the worst intents and the most frequent confusion pairs. With --gate X it exits 1
when the held-out macro-F1 is below X (used by `make test`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RASA = str(ROOT / ".venv" / "bin" / "rasa")


def run_rasa_test(args: list[str]) -> None:
    subprocess.run(
        [RASA, "test", "nlu", "--quiet", "--no-plot", *args], cwd=ROOT, check=True
    )


def summarise(title: str, out: Path, top: int = 8) -> float:
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    macro = report["macro avg"]["f1-score"]
    per_intent = {
        name: vals
        for name, vals in report.items()
        if isinstance(vals, dict) and "support" in vals and "avg" not in name
    }
    print(f"\n== {title} ==")
    print(
        f"macro-F1 {macro:.4f}   weighted-F1 {report['weighted avg']['f1-score']:.4f}   "
        f"accuracy {report.get('accuracy', float('nan')):.4f}   "
        f"examples {sum(int(v['support']) for v in per_intent.values())}"
    )
    worst = sorted(per_intent.items(), key=lambda kv: kv[1]["f1-score"])[:top]
    print("worst intents: " + ", ".join(f"{n} {v['f1-score']:.3f}" for n, v in worst))
    errors_file = out / "intent_errors.json"
    errors = (
        json.loads(errors_file.read_text(encoding="utf-8"))
        if errors_file.exists()
        else []
    )
    pairs = Counter((e["intent"], e["intent_prediction"]["name"]) for e in errors)
    print("confusion pairs (true → predicted: count):")
    for (true, pred), n in pairs.most_common(top):
        print(f"  {true} → {pred}: {n}")
    if not pairs:
        print("  none")
    return macro


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--gate", type=float, default=None, help="fail below this held-out macro-F1"
    )
    parser.add_argument("--skip-cv", action="store_true", help="held-out only")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--heldout", default="tests/nlu")
    opts = parser.parse_args()

    out = ROOT / "var" / "results"
    heldout_out = out / "nlu_heldout"
    run_rasa_test(
        ["--nlu", opts.heldout, "--model", "models", "--out", str(heldout_out)]
    )
    macro = summarise(f"held-out ({opts.heldout}, never trained on)", heldout_out)

    if not opts.skip_cv:
        cv_out = out / "nlu_cv"
        run_rasa_test(
            [
                "--nlu",
                "data/nlu",
                "--config",
                "config.yml",
                "--cross-validation",
                "--folds",
                str(opts.folds),
                "--out",
                str(cv_out),
            ]
        )
        summarise(f"{opts.folds}-fold cross-validation on data/nlu", cv_out)

    if opts.gate is not None and macro < opts.gate:
        print(
            f"\nFAIL: held-out macro-F1 {macro:.4f} < gate {opts.gate}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
