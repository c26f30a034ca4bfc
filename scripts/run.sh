#!/usr/bin/env bash
# `make run`: set up, train if the data changed, then serve the action server and Rasa until Ctrl-C.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_venv requirements.txt
ensure_web_built
mkdir -p var models
train_model

RASA_PORT="${RASA_PORT:-5005}"
ACTIONS_PORT="${ACTIONS_PORT:-5055}"
RASA_HOST="${RASA_HOST:-0.0.0.0}"
# The HTTP API is on, but never open to the world: a token is required (generated once, kept in var/).
if [ -z "${RASA_AUTH_TOKEN:-}" ]; then
  [ -s var/rasa_token ] || "$PY" -c 'import secrets; print(secrets.token_hex(24))' > var/rasa_token
  RASA_AUTH_TOKEN="$(cat var/rasa_token)"
fi

pids=()
stop_all() {
  trap - INT TERM EXIT
  say "stopping…"
  kill "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop_all INT TERM EXIT

"$VENV/bin/rasa" run actions --actions actions --port "$ACTIONS_PORT" &
pids+=($!)
"$VENV/bin/rasa" run --enable-api --auth-token "$RASA_AUTH_TOKEN" --cors "*" \
  --interface "$RASA_HOST" --port "$RASA_PORT" \
  --credentials "${RASA_CREDENTIALS:-credentials.yml}" --endpoints "${RASA_ENDPOINTS:-endpoints.yml}" &
pids+=($!)

for _ in $(seq 1 120); do
  if curl -fs "http://127.0.0.1:$RASA_PORT/status?token=$RASA_AUTH_TOKEN" >/dev/null 2>&1; then break; fi
  sleep 1
done
cat >&2 <<MSG

  导购陪练 is running (Ctrl-C stops everything):
    Practice page  http://127.0.0.1:$RASA_PORT/web/   (phone on the same network: http://<this machine's IP>:$RASA_PORT/web/)
    Dashboard      http://127.0.0.1:$RASA_PORT/dashboard/  (accounts: .venv/bin/python -m channels.dashboard create-trainer NAME)
    REST channel   http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook
    Rasa HTTP API  http://127.0.0.1:$RASA_PORT/  (token: var/rasa_token)
    Action server  http://127.0.0.1:$ACTIONS_PORT/webhook
    Try it:  curl -s -XPOST http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"A001","message":"能便宜点吗"}'

MSG
wait -n "${pids[@]}"
