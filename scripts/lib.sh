# Shared helpers for the make targets; sourced, not executed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
# Keep TensorFlow and SQLAlchemy start-up chatter out of the trainee's terminal.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export RASA_TELEMETRY_ENABLED=false

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m错误:\033[0m %s\n' "$*" >&2; exit 1; }

# Python 3.10 from $PYTHON, PATH or pyenv; rasa 3.6 supports nothing newer.
find_python310() {
  local candidates=()
  [ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
  candidates+=(python3.10)
  if command -v pyenv >/dev/null 2>&1; then
    local root; root="$(pyenv root)"
    candidates+=("$root"/versions/3.10*/bin/python3.10)
  fi
  candidates+=("$HOME"/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10)
  local c
  for c in "${candidates[@]}"; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  return 1
}

# Creates .venv and installs the pinned requirements when they changed since the last install.
ensure_venv() {
  local req="${1:-requirements-dev.txt}"
  if [ ! -x "$PY" ] || ! "$PY" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    local base
    base="$(find_python310)" || die "找不到 Python 3.10。请安装(例如 'pyenv install 3.10.13'),或用 PYTHON=/path/to/python3.10 指定。 Python 3.10 not found: install it or set PYTHON."
    say "creating .venv with $base"
    rm -rf "$VENV"
    "$base" -m venv "$VENV"
    "$PY" -m pip install -q --upgrade "pip<24.1" "setuptools<71" wheel
  fi
  local stamp="$VENV/.installed-$(cat "$ROOT/$req" "$ROOT/requirements.txt" "$ROOT/constraints.txt" | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    say "installing $req (pinned by constraints.txt)"
    "$PY" -m pip install -q -r "$ROOT/$req" -c "$ROOT/constraints.txt"
    rm -f "$VENV"/.installed-*
    touch "$stamp"
  fi
}

# Rasa's own fingerprinting skips training when data, domain and config are unchanged.
train_model() {
  say "training (skipped by Rasa when nothing changed)"
  (cd "$ROOT" && "$VENV/bin/rasa" train --quiet --num-threads 2 "$@")
}

# Bundles web/ (widget, charts, dashboard) from npm packages when its sources changed.
ensure_web_built() {
  local web="$ROOT/web"
  [ -f "$web/package.json" ] || return 0
  command -v npm >/dev/null 2>&1 || die "npm 未找到:请安装 Node.js 20+ (apt-get install nodejs npm)。 npm not found."
  local stamp
  stamp="$web/dist/.built-$(cd "$web" && find build.mjs package-lock.json src -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
  [ -f "$stamp" ] && return 0
  say "building web/ (npm ci + esbuild)"
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)
  rm -f "$web"/dist/.built-*
  touch "$stamp"
}
