#!/usr/bin/env bash
# `make test` step 9: the production layout on this machine. Brings up PostgreSQL, Redis, 2 Rasa
# replicas, 2 action servers and nginx (scripts/cluster.sh, own ports and folder), runs a short
# load on one replica and on the cluster, then the bad-input and fault tests, and always takes
# everything down again.
#
# PostgreSQL, Redis and nginx are Debian packages, installed when missing. Only when they cannot
# be installed here (no apt-get, or not root) is this step skipped, with a banner saying so.
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/services.sh"
cd "$ROOT"

# Own folder and ports: a developer's `make cluster-up` on the defaults is left alone.
export CLUSTER_DIR="${CLUSTER_TEST_DIR:-$ROOT/var/cluster/ci}"
export CLUSTER_HTTP_PORT="${CLUSTER_TEST_HTTP_PORT:-18005}"
export CLUSTER_ACTIONS_LB_PORT="${CLUSTER_TEST_ACTIONS_LB_PORT:-18055}"
export CLUSTER_RASA_PORTS="${CLUSTER_TEST_RASA_PORTS:-15105 15106}"
export CLUSTER_ACTIONS_PORTS="${CLUSTER_TEST_ACTIONS_PORTS:-15155 15156}"
export CLUSTER_PG_PORT="${CLUSTER_TEST_PG_PORT:-55442}"
export CLUSTER_REDIS_PORT="${CLUSTER_TEST_REDIS_PORT:-56389}"
# The issue's target: 50 trainees at once on one replica, p95 ≤ 500 ms, no error, nothing lost.
LOAD_TRAINEES="${CLUSTER_TEST_TRAINEES:-50}"
LOAD_MAX_P95_MS="${CLUSTER_TEST_MAX_P95_MS:-500}"

if ! ensure_debian_packages postgresql redis-server nginx; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    die "PostgreSQL/Redis/nginx could not be installed with apt-get: the cluster tests cannot run."
  fi
  printf '\n\033[1;33m%s\033[0m\n%s\n\n' \
    "SKIPPED: scale-out tests (cluster, load, faults) did NOT run." \
    "PostgreSQL, Redis and nginx are missing and cannot be installed here (needs apt-get as root). Run scripts/test_cluster.sh on a Debian machine or CI runner." >&2
  exit 0
fi

started=$SECONDS
cleanup() {
  local code=$?
  say "taking the test cluster down"
  if [ "$code" -eq 0 ]; then
    bash "$ROOT/scripts/cluster.sh" down --purge || true
  else
    # Keep the logs of a failed run (the next run purges them).
    bash "$ROOT/scripts/cluster.sh" down || true
    say "logs kept in ${CLUSTER_DIR#"$ROOT"/}/logs and ${CLUSTER_DIR#"$ROOT"/}/nginx/logs"
  fi
  say "scale-out tests took $((SECONDS - started)) s"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A cluster left over from an interrupted run would hold the ports.
bash "$ROOT/scripts/cluster.sh" down --purge >/dev/null 2>&1 || true
bash "$ROOT/scripts/cluster.sh" up

# Trainees type their replies (benchmarks/load_clients.py PlayStyle), so one scenario each
# takes about two minutes per target.
say "load: $LOAD_TRAINEES trainees × 1 scenario, on one replica and through nginx"
"$PY" -m benchmarks.load_test --env-file "$CLUSTER_DIR/cluster.env" \
  --trainees "$LOAD_TRAINEES" --scenarios 1 --ramp 10 \
  --targets replica,cluster --max-seconds 420 --max-p95-ms "$LOAD_MAX_P95_MS"

say "bad input and faults (the replica kill runs last)"
CLUSTER_ENV_FILE="$CLUSTER_DIR/cluster.env" CLUSTER_TEST_NO_RESTORE=1 \
  "$VENV/bin/pytest" tests/cluster -m cluster -q -p no:cacheprovider -rxs
