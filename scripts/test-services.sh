#!/usr/bin/env bash
# test-services.sh starts the throwaway PostgreSQL and Redis servers that
# Linkbrief's integration tests use, on 127.0.0.1 only, and prints the
# environment the tests read:
#
#   eval "$(scripts/test-services.sh)"      # start (idempotent), export the DSNs
#   go test -race ./store/...
#   scripts/test-services.sh stop           # stop both and delete their data
#
# Under `set -e`, `env=$(scripts/test-services.sh); eval "$env"` stops the
# caller when the script fails; a bare eval "$(...)" does not.
#
# Commands: start (the default), stop, status, env. Only the export lines
# go to standard output; progress and errors go to standard error.
#
# Missing packages (postgresql, redis-server) are installed with apt-get,
# which needs root. PostgreSQL refuses to run as root, so as root the
# cluster belongs to the "postgres" user the package creates. The cluster
# lives in its own directory with its own Unix socket directory, so it never
# clashes with a system cluster on 5432. Both servers are for tests only:
# trust authentication, fsync off, no persistence.
#
# Tunable through the environment: LINKBRIEF_PG_PORT (55432),
# LINKBRIEF_REDIS_PORT (56379), LINKBRIEF_PG_DIR (/tmp/linkbrief-pg),
# LINKBRIEF_REDIS_DIR (/tmp/linkbrief-redis).
set -euo pipefail

pg_port=${LINKBRIEF_PG_PORT:-55432}
redis_port=${LINKBRIEF_REDIS_PORT:-56379}
pg_dir=${LINKBRIEF_PG_DIR:-/tmp/linkbrief-pg}
redis_dir=${LINKBRIEF_REDIS_DIR:-/tmp/linkbrief-redis}
pg_data=$pg_dir/data
pg_role=linkbrief
pg_db=linkbrief_test
lock_file=/tmp/linkbrief-test-services.lock

log() { printf 'test-services: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# pg_bindir prints the bin directory of the newest PostgreSQL installed from
# Debian's packages, or nothing.
pg_bindir() {
	local d
	# The glob sorts 10 before 9: sort on the version number.
	for d in /usr/lib/postgresql/*/bin; do
		if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; fi
	done | sort -t/ -k5,5n | tail -n 1
}

# install_packages installs postgresql and redis-server when missing.
install_packages() {
	local want=()
	[ -n "$(pg_bindir)" ] || want+=(postgresql)
	command -v redis-server >/dev/null && command -v redis-cli >/dev/null || want+=(redis-server)
	[ ${#want[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing packages (${want[*]}): run as root, or install them with apt-get"
	log "installing ${want[*]} with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	local apt_log
	apt_log=$(mktemp /tmp/linkbrief-apt.XXXXXX)
	apt-get update -qq >"$apt_log" 2>&1 || { cat "$apt_log" >&2; die "apt-get update failed"; }
	apt-get install -y -qq --no-install-recommends "${want[@]}" >"$apt_log" 2>&1 ||
		{ cat "$apt_log" >&2; die "apt-get install ${want[*]} failed"; }
	rm -f "$apt_log"
	[ -n "$(pg_bindir)" ] || die "postgresql installed, but no /usr/lib/postgresql/*/bin/initdb found"
	command -v redis-server >/dev/null || die "redis-server installed, but not on PATH"
}

# as_pg runs a command as the owner of the cluster: the postgres user when
# we are root, ourselves otherwise. File descriptor 9 (the lock) is closed
# so servers started here do not hold the lock after we exit.
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@" 9>&-
	else
		"$@" 9>&-
	fi
}

# pg_state prints pg_isready's verdict on our port: 0 accepting
# connections, 1 starting up or recovering, 2 no answer.
pg_state() {
	local rc=0
	"$bin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -t 1 2>/dev/null || rc=$?
	echo "$rc"
}

pg_running() { [ "$(pg_state)" = 0 ]; }

psql_admin() {
	"$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -Atc "$1"
}

# init_cluster creates an empty cluster in $pg_data.
init_cluster() {
	log "initdb $pg_data"
	rm -rf "$pg_data"
	mkdir -p "$pg_dir"
	if [ "$(id -u)" -eq 0 ]; then chown postgres: "$pg_dir"; fi
	chmod 700 "$pg_dir"
	as_pg "$bin/initdb" -D "$pg_data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$pg_dir/initdb.log" 2>&1 ||
		{ cat "$pg_dir/initdb.log" >&2; die "initdb failed"; }
	cat >>"$pg_data/postgresql.conf" <<-EOF

		# Linkbrief test cluster: speed over durability.
		max_connections = 300
		fsync = off
		synchronous_commit = off
		full_page_writes = off
	EOF
}

# try_start starts the cluster, a few times: a server killed moments ago
# may hold its lock file until its last process is reaped. Address, port
# and socket directory are given on each start, so they always follow the
# settings above.
try_start() {
	local attempt
	for attempt in 1 2 3 4 5; do
		as_pg "$bin/pg_ctl" -D "$pg_data" -l "$pg_dir/server.log" -w -t 60 -s \
			-o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$pg_dir" \
			start 2>/dev/null && return 0
		sleep 1
	done
	return 1
}

start_postgres() {
	bin=$(pg_bindir)
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || die "no postgres user: reinstall the postgresql package"
	fi
	if [ "$(pg_state)" != 2 ]; then
		# Ours only if the data directory says so; another server on the
		# port would make every test fail in a confusing way.
		[ -f "$pg_data/postmaster.pid" ] || die "something else already listens on 127.0.0.1:$pg_port"
		log "postgresql already running on 127.0.0.1:$pg_port ($pg_data)"
	else
		local fresh=false
		if [ ! -f "$pg_data/PG_VERSION" ]; then
			init_cluster
			fresh=true
		fi
		log "starting postgresql on 127.0.0.1:$pg_port"
		if ! try_start; then
			# The cluster is throwaway: one left broken by a crash or a
			# killed initdb is replaced rather than repaired.
			$fresh && { tail -n 20 "$pg_dir/server.log" >&2 || true; die "postgresql did not start (log: $pg_dir/server.log)"; }
			log "the cluster in $pg_data does not start: creating a new one"
			tail -n 5 "$pg_dir/server.log" >&2 || true
			init_cluster
			try_start || { tail -n 20 "$pg_dir/server.log" >&2 || true; die "postgresql did not start (log: $pg_dir/server.log)"; }
		fi
	fi
	local i
	for i in $(seq 1 60); do
		pg_running && break
		[ "$i" -eq 60 ] && die "postgresql does not answer on 127.0.0.1:$pg_port"
		sleep 0.5
	done
	if [ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname = '$pg_role'")" != 1 ]; then
		psql_admin "CREATE ROLE $pg_role LOGIN CREATEDB" >&2
	fi
	if [ "$(psql_admin "SELECT 1 FROM pg_database WHERE datname = '$pg_db'")" != 1 ]; then
		psql_admin "CREATE DATABASE $pg_db OWNER $pg_role" >&2
	fi
}

redis_running() {
	[ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" = PONG ]
}

start_redis() {
	if redis_running; then
		[ -f "$redis_dir/redis.pid" ] || die "something else already answers on 127.0.0.1:$redis_port"
		log "redis already running on 127.0.0.1:$redis_port"
		return 0
	fi
	mkdir -p "$redis_dir"
	log "starting redis on 127.0.0.1:$redis_port"
	redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no \
		--daemonize yes --dir "$redis_dir" --pidfile "$redis_dir/redis.pid" \
		--logfile "$redis_dir/redis.log" 9>&- >&2 ||
		die "redis-server did not start (log: $redis_dir/redis.log)"
	local i
	for i in $(seq 1 60); do
		redis_running && return 0
		sleep 0.25
	done
	tail -n 20 "$redis_dir/redis.log" >&2 || true
	die "redis does not answer on 127.0.0.1:$redis_port"
}

print_env() {
	echo "export LINKBRIEF_TEST_POSTGRES='postgres://$pg_role@127.0.0.1:$pg_port/$pg_db?sslmode=disable'"
	echo "export LINKBRIEF_TEST_REDIS='redis://127.0.0.1:$redis_port/0'"
}

stop_all() {
	bin=$(pg_bindir)
	if [ -n "$bin" ] && [ -f "$pg_data/PG_VERSION" ]; then
		if as_pg "$bin/pg_ctl" -D "$pg_data" status >/dev/null 2>&1; then
			log "stopping postgresql"
			as_pg "$bin/pg_ctl" -D "$pg_data" -m fast -w -t 60 -s stop || die "postgresql did not stop"
		fi
	fi
	rm -rf "$pg_dir"
	if [ -f "$redis_dir/redis.pid" ] && redis_running; then
		log "stopping redis"
		redis-cli -h 127.0.0.1 -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
		local i
		for i in $(seq 1 40); do
			redis_running || break
			sleep 0.25
		done
		redis_running && die "redis did not stop"
	fi
	rm -rf "$redis_dir"
	log "stopped"
}

status() {
	bin=$(pg_bindir)
	local rc=0
	if [ -n "$bin" ] && pg_running; then log "postgresql: up on 127.0.0.1:$pg_port"; else log "postgresql: down"; rc=1; fi
	if command -v redis-cli >/dev/null && redis_running; then log "redis: up on 127.0.0.1:$redis_port"; else log "redis: down"; rc=1; fi
	return $rc
}

# One run at a time: two CI steps or shells starting the servers together
# would otherwise race on initdb.
exec 9>"$lock_file"
flock -w 120 9 || die "another test-services.sh holds $lock_file"

case "${1:-start}" in
start)
	install_packages
	start_postgres
	start_redis
	print_env
	;;
stop) stop_all ;;
status) status ;;
env) print_env ;;
*)
	echo "usage: $0 [start|stop|status|env]" >&2
	exit 2
	;;
esac
