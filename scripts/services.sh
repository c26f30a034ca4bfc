# Throwaway PostgreSQL (and later Redis) servers on 127.0.0.1 for tests; sourced after lib.sh.

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

# start_postgres DIR PORT: a fresh cluster owned by the postgres user; prints its URL.
start_postgres() {
  local dir="$1" port="$2" bin
  bin="$(pg_bin)" || return 1
  rm -rf "$dir"; mkdir -p "$dir"
  local run=()
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; run=(runuser -u postgres --); fi
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 || return 1
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null || return 1
  "${run[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres records_test || return 1
  echo "postgresql://postgres@127.0.0.1:$port/records_test"
}

stop_postgres() {
  local dir="$1" bin
  bin="$(pg_bin)" || return 0
  [ -d "$dir/data" ] || return 0
  local run=()
  [ "$(id -u)" = 0 ] && run=(runuser -u postgres --)
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}
