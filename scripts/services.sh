# Throwaway PostgreSQL, Redis and nginx servers on 127.0.0.1 for tests and the local cluster;
# sourced after lib.sh.

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

# Installs Debian's PostgreSQL when missing (CI machines have the registry), else returns 1.
ensure_postgres_installed() {
  pg_bin >/dev/null && return 0
  command -v apt-get >/dev/null || return 1
  say "installing PostgreSQL (Debian package)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || return 1
  pg_bin >/dev/null
}

# start_postgres DIR PORT [DB]: a fresh cluster owned by the postgres user; prints its URL.
start_postgres() {
  local dir="$1" port="$2" db="${3:-records_test}" bin
  bin="$(pg_bin)" || return 1
  rm -rf "$dir"; mkdir -p "$dir"
  local run=()
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; run=(runuser -u postgres --); fi
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 || return 1
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null || return 1
  "${run[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db" || return 1
  echo "postgresql://postgres@127.0.0.1:$port/$db"
}

stop_postgres() {
  local dir="$1" bin
  bin="$(pg_bin)" || return 0
  [ -d "$dir/data" ] || return 0
  local run=()
  [ "$(id -u)" = 0 ] && run=(runuser -u postgres --)
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

# pg_as_owner CMD…: runs a PostgreSQL tool as the data directory's owner (postgres when root).
pg_as_owner() {
  local run=()
  [ "$(id -u)" = 0 ] && run=(runuser -u postgres --)
  "${run[@]}" "$@"
}

# restart_postgres DIR: stop and start the same cluster, data kept (the cluster's fault test).
restart_postgres() {
  local dir="$1" bin
  bin="$(pg_bin)" || return 1
  pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 restart >/dev/null
}

postgres_running() {
  local dir="$1" bin
  bin="$(pg_bin)" || return 1
  [ -d "$dir/data" ] && pg_as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

# Debian packages for the cluster; waits for another apt run to finish instead of failing.
ensure_debian_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    case "$pkg" in
      redis-server) command -v redis-server >/dev/null || missing+=(redis-server) ;;
      nginx) [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || missing+=(nginx) ;;
      postgresql) pg_bin >/dev/null || missing+=(postgresql) ;;
      *) missing+=("$pkg") ;;
    esac
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  command -v apt-get >/dev/null || return 1
  [ "$(id -u)" = 0 ] || return 1
  say "installing ${missing[*]} (Debian packages)"
  local apt=(apt-get -o DPkg::Lock::Timeout=600 -qq)
  ("${apt[@]}" update && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y "${missing[@]}" >/dev/null) || return 1
}

redis_bin() { command -v redis-server || { [ -x /usr/bin/redis-server ] && echo /usr/bin/redis-server; }; }

# start_redis DIR PORT PASSWORD: Redis on 127.0.0.1 only, no persistence (it only holds locks).
start_redis() {
  local dir="$1" port="$2" password="$3" bin
  bin="$(redis_bin)" || return 1
  mkdir -p "$dir"
  cat >"$dir/redis.conf" <<CONF
bind 127.0.0.1
port $port
protected-mode yes
daemonize yes
pidfile $dir/redis.pid
logfile $dir/redis.log
dir $dir
save ""
appendonly no
requirepass $password
CONF
  chmod 600 "$dir/redis.conf"
  local run=()
  if [ "$(id -u)" = 0 ] && id redis >/dev/null 2>&1; then chown -R redis "$dir"; run=(runuser -u redis --); fi
  "${run[@]}" "$bin" "$dir/redis.conf" || return 1
  redis_wait "$dir" "$port" "$password"
}

redis_ping() {
  local port="$1" password="$2"
  [ "$(REDISCLI_AUTH="$password" redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]
}

redis_wait() {
  local port="$2" password="$3" _
  for _ in $(seq 1 50); do redis_ping "$port" "$password" && return 0; sleep 0.2; done
  return 1
}

# pid_named PIDFILE NAME: the pid in the file, if that process is still NAME (not a reused pid).
pid_named() {
  local pid
  [ -s "$1" ] || return 1
  pid="$(cat "$1")"
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] && echo "$pid"
}

stop_redis() {
  local dir="$1" pid
  pid="$(pid_named "$dir/redis.pid" redis-server)" || { rm -f "$dir/redis.pid"; return 0; }
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  rm -f "$dir/redis.pid"
}

nginx_bin() { command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; }; }

# start_nginx DIR: runs DIR/nginx.conf with DIR as prefix (pid, logs and temp files stay there).
start_nginx() {
  local dir="$1" bin
  bin="$(nginx_bin)" || return 1
  mkdir -p "$dir/logs" "$dir/tmp"
  # Workers run unprivileged (www-data) and buffer large request bodies under tmp/.
  if [ "$(id -u)" = 0 ] && id www-data >/dev/null 2>&1; then chown -R www-data "$dir/tmp"; fi
  "$bin" -t -q -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" || return 1
  "$bin" -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log"
}

stop_nginx() {
  local dir="$1" pid
  pid="$(pid_named "$dir/nginx.pid" nginx)" || { rm -f "$dir/nginx.pid"; return 0; }
  kill -QUIT "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  rm -f "$dir/nginx.pid"
}

# resume_postgres DIR PORT: starts a cluster made earlier by start_postgres, data kept.
resume_postgres() {
  local dir="$1" port="$2" bin
  bin="$(pg_bin)" || return 1
  [ -f "$dir/data/PG_VERSION" ] || return 1
  pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
}
