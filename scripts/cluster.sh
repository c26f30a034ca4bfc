#!/usr/bin/env bash
# The production layout on one machine (127.0.0.1): PostgreSQL (tracker store + records),
# Redis (lock store), 2 Rasa replicas and 2 action servers, nginx balancing both pairs.
#
#   scripts/cluster.sh up | down [--purge] | status
#   scripts/cluster.sh stop|start|restart|kill SERVICE   (fault tests; SERVICE: postgres, redis,
#                                                          nginx, rasa1, rasa2, actions1, actions2)
#
# Everything lives under $CLUSTER_DIR (var/cluster): data, logs, pid files, rendered nginx.conf and
# cluster.env (URLs, ports and secrets for the load and fault tests). Ports are env vars below.
source "$(dirname "$0")/lib.sh"
source "$ROOT/scripts/services.sh"
cd "$ROOT"

CLUSTER_DIR="${CLUSTER_DIR:-$ROOT/var/cluster}"
case "$CLUSTER_DIR" in /*) ;; *) CLUSTER_DIR="$ROOT/$CLUSTER_DIR" ;; esac
HTTP_PORT="${CLUSTER_HTTP_PORT:-8005}"
ACTIONS_LB_PORT="${CLUSTER_ACTIONS_LB_PORT:-8055}"
read -r -a RASA_PORTS <<<"${CLUSTER_RASA_PORTS:-5105 5106}"
read -r -a ACTIONS_PORTS <<<"${CLUSTER_ACTIONS_PORTS:-5155 5156}"
PG_PORT="${CLUSTER_PG_PORT:-55432}"
REDIS_PORT="${CLUSTER_REDIS_PORT:-56379}"
# Each Rasa process loads TensorFlow and the model (~1.5 GB); on 2 busy cores that takes minutes.
HEALTH_TIMEOUT="${CLUSTER_HEALTH_TIMEOUT:-900}"
# A replica killed while holding a conversation's lock blocks that conversation until the
# ticket expires (Rasa's default 60 s). The lifetime counts from when a message starts waiting
# and must outlast wait + turn (one turn at most: the REST channel refuses a second message of
# a conversation in flight on a replica); 30 s leaves room for turns slowed by a busy machine.
LOCK_LIFETIME="${TICKET_LOCK_LIFETIME:-30}"

RUN="$CLUSTER_DIR/run"
LOGS="$CLUSTER_DIR/logs"
ENV_FILE="$CLUSTER_DIR/cluster.env"
SECRETS="$CLUSTER_DIR/secrets.env"
DB_USER=daogou
TRACKER_DB=rasa_tracker
RECORDS_DB=daogou_records

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# Hex: a secret never starts with '-' (read as an option) nor needs quoting in a URL.
secret() { "$PY" -c 'import secrets; print(secrets.token_hex(24))'; }

load_secrets() {
  mkdir -p "$CLUSTER_DIR"
  if [ ! -s "$SECRETS" ]; then
    (
      umask 077
      {
        echo "DB_PASSWORD=$(secret)"
        echo "REDIS_PASSWORD=$(secret)"
        echo "RASA_AUTH_TOKEN=${RASA_AUTH_TOKEN:-$(secret)}"
        # Signs the web trainees' tokens; every replica must hold the same one.
        echo "WEB_SECRET=${WEB_SECRET:-$(secret)}"
      } >"$SECRETS"
    )
  fi
  # shellcheck disable=SC1090
  source "$SECRETS"
}

model_path() {
  if [ -s "$RUN/model" ]; then cat "$RUN/model"; return; fi
  local model
  model="$(ls -t "$ROOT"/models/*.tar.gz 2>/dev/null | head -1)"
  [ -n "$model" ] || die "models/ 里没有训练好的模型:请先运行 make train。 No trained model: run make train."
  echo "$model" | tee "$RUN/model"
}

# The settings every Rasa replica and action server reads (endpoints.prod.yml, RECORDS_DB_URL).
service_env() {
  cat <<ENV
DB_HOST=127.0.0.1
DB_PORT=$PG_PORT
DB_USER=$DB_USER
DB_PASSWORD=$DB_PASSWORD
DB_DATABASE=$TRACKER_DB
REDIS_HOST=127.0.0.1
REDIS_PORT=$REDIS_PORT
REDIS_PASSWORD=$REDIS_PASSWORD
REDIS_DB=1
REDIS_KEY_PREFIX=daogou
ACTION_ENDPOINT_URL=http://127.0.0.1:$ACTIONS_LB_PORT/webhook
RECORDS_DB_URL=postgresql://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/$RECORDS_DB
TICKET_LOCK_LIFETIME=$LOCK_LIFETIME
WEB_SECRET=$WEB_SECRET
ENV
}

write_env_file() {
  (
    umask 077
    {
      service_env
      echo "CLUSTER_DIR=$CLUSTER_DIR"
      # The settings this cluster was started with, so cluster.sh called later (fault tests)
      # addresses the same processes.
      echo "CLUSTER_HTTP_PORT=$HTTP_PORT"
      echo "CLUSTER_ACTIONS_LB_PORT=$ACTIONS_LB_PORT"
      echo "CLUSTER_RASA_PORTS=\"${RASA_PORTS[*]}\""
      echo "CLUSTER_ACTIONS_PORTS=\"${ACTIONS_PORTS[*]}\""
      echo "CLUSTER_PG_PORT=$PG_PORT"
      echo "CLUSTER_REDIS_PORT=$REDIS_PORT"
      echo "RASA_AUTH_TOKEN=$RASA_AUTH_TOKEN"
      echo "CLUSTER_URL=http://127.0.0.1:$HTTP_PORT"
      local i
      for i in "${!RASA_PORTS[@]}"; do echo "RASA$((i + 1))_URL=http://127.0.0.1:${RASA_PORTS[$i]}"; done
      for i in "${!ACTIONS_PORTS[@]}"; do echo "ACTIONS$((i + 1))_URL=http://127.0.0.1:${ACTIONS_PORTS[$i]}"; done
      echo "TRACKER_DB_URL=postgresql://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/$TRACKER_DB"
    } >"$ENV_FILE"
  )
}

# -- long-running processes (Rasa, action servers): own process group, pid file, log --------

# A pid file is trusted only while its process is still ours: `rasa run … --port PORT` (a pid
# reused after a reboot must never be signalled).
pid_is_ours() {
  local name="$1" pid port
  [ -s "$RUN/$name.pid" ] || return 1
  pid="$(cat "$RUN/$name.pid")"
  port="$(service_port "$name")"
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "rasa run.*--port $port\b"
}

pid_alive() { pid_is_ours "$1" && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

spawn() {
  local name="$1"
  shift
  pid_alive "$name" && return 0
  (
    set -a
    # shellcheck disable=SC1090
    source <(service_env)
    set +a
    echo "=== $(date -Is) starting $name" >>"$LOGS/$name.log"
    exec setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null
  ) &
  echo $! >"$RUN/$name.pid"
}

stop_process() {
  local name="$1" signal="${2:-TERM}" pid _
  [ -s "$RUN/$name.pid" ] || return 0
  if ! pid_is_ours "$name"; then
    rm -f "$RUN/$name.pid"
    return 0
  fi
  pid="$(cat "$RUN/$name.pid")"
  # setsid made the process a group leader: signal the group, never anything else.
  kill -"$signal" -- "-$pid" 2>/dev/null || kill -"$signal" "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$RUN/$name.pid"
}

service_port() {
  local name="$1"
  case "$name" in
    rasa[0-9]*) echo "${RASA_PORTS[$((${name#rasa} - 1))]:-}" ;;
    actions[0-9]*) echo "${ACTIONS_PORTS[$((${name#actions} - 1))]:-}" ;;
  esac
}

health_url() {
  local name="$1" port
  port="$(service_port "$name")"
  case "$name" in
    rasa*) echo "http://127.0.0.1:$port/status?token=$RASA_AUTH_TOKEN" ;;
    actions*) echo "http://127.0.0.1:$port/health" ;;
    nginx) echo "http://127.0.0.1:$HTTP_PORT/nginx-health" ;;
  esac
}

start_service() {
  local name="$1" port
  port="$(service_port "$name")"
  case "$name" in
    rasa*)
      [ -n "$port" ] || die "no such replica: $name"
      spawn "$name" "$VENV/bin/rasa" run --enable-api --auth-token="$RASA_AUTH_TOKEN" \
        --interface 127.0.0.1 --port "$port" --model "$(model_path)" \
        --endpoints endpoints.prod.yml --credentials "${CLUSTER_CREDENTIALS:-credentials.yml}"
      ;;
    actions*)
      [ -n "$port" ] || die "no such action server: $name"
      spawn "$name" "$VENV/bin/rasa" run actions --actions actions --port "$port"
      ;;
    postgres)
      postgres_running "$CLUSTER_DIR/postgres" || start_cluster_postgres
      ;;
    redis)
      redis_ping "$REDIS_PORT" "$REDIS_PASSWORD" ||
        start_redis "$CLUSTER_DIR/redis" "$REDIS_PORT" "$REDIS_PASSWORD" ||
        die "Redis did not start: see $CLUSTER_DIR/redis/redis.log"
      ;;
    nginx)
      [ -s "$CLUSTER_DIR/nginx/nginx.pid" ] && kill -0 "$(cat "$CLUSTER_DIR/nginx/nginx.pid")" 2>/dev/null && return 0
      render_nginx_conf
      start_nginx "$CLUSTER_DIR/nginx" || die "nginx did not start: see $CLUSTER_DIR/nginx/logs/error.log"
      ;;
    *) die "unknown service: $name" ;;
  esac
}

stop_service() {
  local name="$1" signal="${2:-TERM}"
  case "$name" in
    rasa* | actions*) stop_process "$name" "$signal" ;;
    postgres) stop_postgres "$CLUSTER_DIR/postgres" ;;
    redis) stop_redis "$CLUSTER_DIR/redis" ;;
    nginx) stop_nginx "$CLUSTER_DIR/nginx" ;;
    *) die "unknown service: $name" ;;
  esac
}

wait_healthy() {
  local deadline=$((SECONDS + HEALTH_TIMEOUT)) name pending=("$@")
  while [ "${#pending[@]}" -gt 0 ]; do
    local still=()
    for name in "${pending[@]}"; do
      if curl -fsS -o /dev/null --max-time 5 "$(health_url "$name")" 2>/dev/null; then
        say "$name is up"
        continue
      fi
      if [[ "$name" == rasa* || "$name" == actions* ]] && ! pid_alive "$name"; then
        tail -20 "$LOGS/$name.log" >&2 || true
        die "$name exited during start-up: see $LOGS/$name.log"
      fi
      still+=("$name")
    done
    pending=("${still[@]+"${still[@]}"}")
    [ "${#pending[@]}" -eq 0 ] && break
    [ "$SECONDS" -ge "$deadline" ] && die "not healthy after ${HEALTH_TIMEOUT}s: ${pending[*]} (logs: $LOGS)"
    sleep 2
  done
}

# -- PostgreSQL, nginx -----------------------------------------------------------------------

# First start: fresh data directory, a login role with a password (TCP needs it), two databases.
start_cluster_postgres() {
  local dir="$CLUSTER_DIR/postgres" bin
  bin="$(pg_bin)" || die "PostgreSQL is not installed"
  if [ -f "$dir/data/PG_VERSION" ]; then
    resume_postgres "$dir" "$PG_PORT" || die "PostgreSQL did not start: see $dir/server.log"
    return
  fi
  start_postgres "$dir" "$PG_PORT" "$TRACKER_DB" >/dev/null || die "PostgreSQL did not start: see $dir/"
  pg_as_owner "$bin/psql" -q -h "$dir" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 <<SQL >/dev/null
CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD';
ALTER DATABASE $TRACKER_DB OWNER TO $DB_USER;
CREATE DATABASE $RECORDS_DB OWNER $DB_USER ENCODING 'UTF8';
SQL
  # The admin keeps the Unix socket (in $dir); over TCP every client needs the password.
  printf 'local all postgres trust\nhost all all 127.0.0.1/32 scram-sha-256\n' >"$dir/data/pg_hba.conf"
  pg_as_owner "$bin/pg_ctl" -D "$dir/data" reload >/dev/null
}

render_nginx_conf() {
  local dir="$CLUSTER_DIR/nginx" user_line="" line port
  mkdir -p "$dir/logs" "$dir/tmp"
  [ "$(id -u)" = 0 ] && id www-data >/dev/null 2>&1 && user_line="user www-data;"
  while IFS= read -r line; do
    case "$line" in
      @RASA_SERVERS@)
        for port in "${RASA_PORTS[@]}"; do
          printf '        server 127.0.0.1:%s max_fails=0;\n' "$port"
        done
        ;;
      @ACTION_SERVERS@)
        for port in "${ACTIONS_PORTS[@]}"; do
          printf '        server 127.0.0.1:%s max_fails=0;\n' "$port"
        done
        ;;
      @USER_LINE@) echo "$user_line" ;;
      *)
        line="${line//@DIR@/$dir}"
        line="${line//@HTTP_PORT@/$HTTP_PORT}"
        echo "${line//@ACTIONS_PORT@/$ACTIONS_LB_PORT}"
        ;;
    esac
  done <"$ROOT/deploy/nginx/cluster.conf.template" >"$dir/nginx.conf"
}

rasa_names() { local i; for i in "${!RASA_PORTS[@]}"; do echo "rasa$((i + 1))"; done; }
action_names() { local i; for i in "${!ACTIONS_PORTS[@]}"; do echo "actions$((i + 1))"; done; }

print_urls() {
  local name
  cat >&2 <<MSG

  导购陪练 cluster (127.0.0.1), files under ${CLUSTER_DIR#"$ROOT"/}/:
    REST via nginx   http://127.0.0.1:$HTTP_PORT/webhooks/rest/webhook
    socket.io        http://127.0.0.1:$HTTP_PORT/socket.io/
    Rasa HTTP API    http://127.0.0.1:$HTTP_PORT/  (token: RASA_AUTH_TOKEN in ${ENV_FILE#"$ROOT"/})
MSG
  for name in $(rasa_names); do
    printf '    %-16s %s\n' "$name" "http://127.0.0.1:$(service_port "$name")" >&2
  done
  printf '    %-16s %s\n' "actions (nginx)" "http://127.0.0.1:$ACTIONS_LB_PORT/webhook" >&2
  for name in $(action_names); do
    printf '    %-16s %s\n' "$name" "http://127.0.0.1:$(service_port "$name")/webhook" >&2
  done
  cat >&2 <<MSG
    PostgreSQL       postgresql://$DB_USER@127.0.0.1:$PG_PORT/{$TRACKER_DB,$RECORDS_DB}
    Redis            redis://127.0.0.1:$REDIS_PORT/1
    load test        .venv/bin/python -m benchmarks.load_test --env-file ${ENV_FILE#"$ROOT"/}
    stop             make cluster-down

MSG
}

cmd_up() {
  # `make run` and `make test` keep the venv current; install only when there is none.
  [ -x "$VENV/bin/rasa" ] || ensure_venv requirements.txt
  ensure_debian_packages postgresql redis-server nginx ||
    die "PostgreSQL, Redis and nginx are needed and could not be installed (apt-get as root)."
  mkdir -p "$RUN" "$LOGS"
  load_secrets
  model_path >/dev/null
  write_env_file
  say "PostgreSQL on :$PG_PORT, Redis on :$REDIS_PORT"
  start_service postgres
  start_service redis
  say "starting $(action_names | xargs) and $(rasa_names | xargs) (Rasa start-up takes a few minutes)"
  local name
  for name in $(action_names) $(rasa_names); do start_service "$name"; done
  start_service nginx
  wait_healthy $(action_names) $(rasa_names) nginx
  # Through nginx too, so the printed URL is known to answer.
  curl -fsS -o /dev/null --max-time 30 "http://127.0.0.1:$HTTP_PORT/status?token=$RASA_AUTH_TOKEN" ||
    die "nginx does not reach the Rasa replicas: see $CLUSTER_DIR/nginx/logs/error.log"
  print_urls
}

cmd_down() {
  [ -d "$CLUSTER_DIR" ] || { say "nothing to stop"; return 0; }
  [ -s "$SECRETS" ] && load_secrets
  local name
  stop_service nginx
  for name in $(rasa_names) $(action_names); do stop_process "$name"; done
  stop_redis "$CLUSTER_DIR/redis"
  stop_postgres "$CLUSTER_DIR/postgres"
  rm -f "$RUN/model"
  if [ "${1:-}" = --purge ]; then
    rm -rf "$CLUSTER_DIR"
    say "cluster stopped, ${CLUSTER_DIR#"$ROOT"/} removed"
  else
    say "cluster stopped (data kept in ${CLUSTER_DIR#"$ROOT"/}; 'down --purge' removes it)"
  fi
}

cmd_status() {
  [ -s "$SECRETS" ] || { say "no cluster under ${CLUSTER_DIR#"$ROOT"/}"; return 1; }
  load_secrets
  local name state ok=0
  for name in postgres redis nginx $(rasa_names) $(action_names); do
    case "$name" in
      postgres) postgres_running "$CLUSTER_DIR/postgres" && state=up || state=down ;;
      redis) redis_ping "$REDIS_PORT" "$REDIS_PASSWORD" && state=up || state=down ;;
      *) curl -fsS -o /dev/null --max-time 5 "$(health_url "$name")" 2>/dev/null && state=up || state=down ;;
    esac
    [ "$state" = up ] || ok=1
    printf '  %-10s %s\n' "$name" "$state"
  done
  print_urls
  return "$ok"
}

main() {
  local command="${1:-}"
  shift || true
  case "$command" in
    up) cmd_up ;;
    down) cmd_down "$@" ;;
    status) cmd_status ;;
    start | stop | restart | kill)
      [ $# -eq 1 ] || usage
      load_secrets
      mkdir -p "$RUN" "$LOGS"
      case "$command" in
        stop) stop_service "$1" ;;
        kill) stop_service "$1" KILL ;;
        start) start_service "$1" ;;
        restart)
          if [ "$1" = postgres ]; then
            restart_postgres "$CLUSTER_DIR/postgres" || die "PostgreSQL did not restart"
          else
            stop_service "$1"
            start_service "$1"
          fi
          ;;
      esac
      if [[ "$command" == start || "$command" == restart ]] && [[ "$1" == rasa* || "$1" == actions* || "$1" == nginx ]]; then
        wait_healthy "$1"
      fi
      ;;
    *) usage ;;
  esac
}

main "$@"
