#!/usr/bin/env bash
# `make test`: Sara's CI order — lint, unit tests, data validation, train, story tests, e2e, NLU gate.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_venv requirements-dev.txt
ensure_web_built
mkdir -p var/results models
RASA="$VENV/bin/rasa"

# pytest exits 5 when it collected nothing: that must fail, never pass silently.
run_pytest() {
  local rc=0
  "$VENV/bin/pytest" "$@" || rc=$?
  [ "$rc" -eq 5 ] && die "pytest collected no tests for: $*"
  return "$rc"
}

say "1/9 lint (black, ruff)"
"$VENV/bin/black" --check --quiet .
"$VENV/bin/ruff" check .

say "2/9 unit tests"
# The records tests also run against a real PostgreSQL when one can be started here.
source "$ROOT/scripts/services.sh"
PG_DIR="$ROOT/var/test-postgres"
if ensure_postgres_installed && PG_URL="$(start_postgres "$PG_DIR" "${TEST_PG_PORT:-55433}")"; then
  trap 'stop_postgres "$PG_DIR"' EXIT
  export RECORDS_TEST_PG_URL="$PG_URL"
  say "PostgreSQL for the records tests: $PG_URL"
else
  say "no PostgreSQL here: its copies of the records tests are skipped (SQLite ones still run)"
fi
run_pytest -m "not e2e and not cluster" -q

say "3/9 rasa data validate"
"$RASA" data validate --fail-on-warnings --quiet

say "4/9 rasa train"
train_model

say "5/9 rasa test (stories, --fail-on-prediction-errors)"
"$RASA" test core --stories tests/stories --fail-on-prediction-errors \
  --out var/results/core --no-plot

say "6/9 end-to-end tests against the real Rasa and action servers"
run_pytest -m e2e -q

say "7/9 held-out NLU gate (macro-F1 >= ${NLU_GATE:-0.90})"
"$PY" -m benchmarks.nlu_benchmark --gate "${NLU_GATE:-0.90}" --skip-cv
say "8/9 real-browser tests (Debian chromium, headless)"
bash "$ROOT/scripts/test_browser.sh"

say "9/9 scale-out: PostgreSQL + Redis + 2 Rasa replicas + 2 action servers + nginx, load and faults"
bash "$ROOT/scripts/test_cluster.sh"
say "all checks passed"
