#!/usr/bin/env bash
# `make benchmark`: the quality and speed numbers the issues ask for, printed for the notes.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_venv requirements-dev.txt
mkdir -p var/results

say "full rasa train (forced, to a scratch folder)"
TIMEFORMAT="rasa train (full, forced): %R s"
time "$VENV/bin/rasa" train --force --quiet --num-threads 2 --out var/results/train_timing >/dev/null
rm -rf var/results/train_timing
train_model

say "NLU quality: held-out and 5-fold cross-validation"
"$PY" -m benchmarks.nlu_benchmark

say "scorer agreement with the expert-graded replies, and speed"
"$PY" -m benchmarks.scoring_benchmark --auto

say "latency through the real servers"
"$PY" -m benchmarks.latency
