#!/usr/bin/env bash
# Prepares the PostgreSQL server that the PostgreSQL tests (test/postgres) run against, on Debian
# (run on Debian 12), as root. Safe to run again, because each step checks the current state first.
# Run by a user other than root, it only checks that the server described by the settings file
# accepts the test role, and fails with this command when it does not.
#
# 1. Installs `postgresql` and `postgresql-client` with apt-get when pg_ctlcluster, pg_lsclusters,
#    psql, pg_dump or pg_restore is missing.
# 2. Creates the cluster when it does not exist (the newest installed server version), makes it
#    listen on 127.0.0.1 only, and starts it when it is down (for example after a reboot).
# 3. Creates or updates the test role with LOGIN, CREATEDB and CREATEROLE and sets its password.
# 4. Checks that the role logs in over TCP on 127.0.0.1 with its password and that a wrong password
#    is rejected, then writes the connection settings to the settings file that the tests read.
#
# Environment:
#   HEADSUP_PG_PASSWORD  password of the test role (default: a fixed test-only password)
#   HEADSUP_PG_USER      name of the test role (default: headsup_test)
#   HEADSUP_PG_CLUSTER   Debian cluster name (default: main)
#   HEADSUP_POSTGRES_ENV settings file (default: ~/.cache/headsup/postgres.env of $SUDO_USER under
#                        sudo, else of the caller), written with mode 0600 because it contains the
#                        password
#
# The password is passed to psql on standard input and in PGPASSWORD only, never on a command
# line, and this script never prints it.
set -euo pipefail

role=${HEADSUP_PG_USER:-headsup_test}
password=${HEADSUP_PG_PASSWORD:-headsup-test-only}
cluster=${HEADSUP_PG_CLUSTER:-main}
env_owner=
if [ -n "${HEADSUP_POSTGRES_ENV:-}" ]; then
  env_file=$HEADSUP_POSTGRES_ENV
elif [ "$(id -u)" -eq 0 ] && [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
  # The tests run as the user who called sudo, so the settings go to that user's cache.
  env_owner=$SUDO_USER
  env_file=$(getent passwd "$SUDO_USER" | cut -d: -f6)/.cache/headsup/postgres.env
else
  env_file=$HOME/.cache/headsup/postgres.env
fi
host=127.0.0.1

say() { echo "setup-postgres: $*"; }
fail() {
  echo "setup-postgres: $*" >&2
  exit 1
}

# Succeeds when the role logs in over TCP with the given password.
can_log_in() {
  PGPASSWORD=$2 PGCONNECT_TIMEOUT=5 psql -X -q -At "host=$host port=$1 user=$role dbname=postgres sslmode=disable" \
    -c 'SELECT 1' >/dev/null 2>&1
}

# Without root, checks the server that an earlier run as root set up.
check_as_user() {
  local port
  [ -r "$env_file" ] && command -v psql >/dev/null ||
    fail "no PostgreSQL test server is set up for this user ($env_file is missing); run: sudo bash $0"
  port=$(sed -n "s/^HEADSUP_PG_PORT='\([0-9]*\)'$/\1/p" "$env_file")
  role=$(sed -n "s/^HEADSUP_PG_USER='\([a-z0-9_]*\)'$/\1/p" "$env_file")
  password=$(bash -c '. "$1" && printf %s "$HEADSUP_PG_PASSWORD"' _ "$env_file")
  can_log_in "$port" "$password" ||
    fail "role $role cannot log in on $host:$port with the password in $env_file (cluster stopped?); run: sudo bash $0"
  say "PostgreSQL on $host:$port accepts role $role; settings for the tests: $env_file"
}

if [ "$(id -u)" -ne 0 ]; then
  check_as_user
  exit 0
fi
[[ $role =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || fail "invalid HEADSUP_PG_USER '$role': use lower-case letters, digits and _"
[[ $cluster =~ ^[A-Za-z0-9_-]+$ ]] || fail "invalid HEADSUP_PG_CLUSTER '$cluster'"
[ -n "$password" ] || fail "HEADSUP_PG_PASSWORD is set but empty"

install_packages() {
  local tool missing=0
  for tool in pg_ctlcluster pg_lsclusters pg_createcluster psql pg_dump pg_restore; do
    command -v "$tool" >/dev/null || missing=1
  done
  [ "$missing" -eq 1 ] || return 0

  command -v apt-get >/dev/null || fail "PostgreSQL is missing and apt-get is not available; install postgresql and postgresql-client by hand"
  say "installing postgresql and postgresql-client with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql postgresql-client >/dev/null
}

# Prints "<version> <port> <status>" of the newest cluster named $cluster, or nothing.
cluster_line() {
  pg_lsclusters --no-header | awk -v name="$cluster" '$2 == name { print $1, $3, $4 }' | sort -V | tail -n 1
}

create_cluster() {
  local version
  version=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/postgres' 2>/dev/null | awk -F/ '{ print $5 }' | sort -V | tail -n 1)
  [ -n "$version" ] || fail "no PostgreSQL server is installed under /usr/lib/postgresql; run: apt-get install postgresql"
  say "creating cluster $version/$cluster"
  pg_createcluster "$version" "$cluster" >/dev/null
}

# Writes the listen setting into the cluster's conf.d, which Debian's postgresql.conf includes last,
# so it overrides the default `localhost` (which also binds ::1). Returns 0 when the file changed.
configure_listen() {
  local version=$1 conf_dir=/etc/postgresql/$1/$cluster
  local file=$conf_dir/conf.d/headsup.conf
  local wanted="# Written by headsup scripts/setup-postgres.sh: listen on IPv4 loopback only.
listen_addresses = '$host'"

  grep -q "^include_dir = 'conf.d'" "$conf_dir/postgresql.conf" ||
    fail "$conf_dir/postgresql.conf does not include conf.d; add: include_dir = 'conf.d'"
  if [ -f "$file" ] && [ "$(cat "$file")" = "$wanted" ]; then
    return 1
  fi
  mkdir -p "$conf_dir/conf.d"
  printf '%s\n' "$wanted" >"$file"
  chown postgres:postgres "$file"
  return 0
}

# Adds a password rule for every role over TCP from 127.0.0.1 when pg_hba.conf has none, because
# the lab creates a role per Headscale instance. Debian's default file already has
# `host all all 127.0.0.1/32 scram-sha-256`. Returns 0 when the file changed.
configure_hba() {
  local file=/etc/postgresql/$1/$cluster/pg_hba.conf
  if grep -Eq "^[[:space:]]*host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+(scram-sha-256|md5)([[:space:]]|$)" "$file"; then
    return 1
  fi
  say "adding a password rule for TCP from 127.0.0.1 to $file"
  {
    echo "# Added by headsup scripts/setup-postgres.sh: password login over TCP from 127.0.0.1."
    echo "host all all 127.0.0.1/32 scram-sha-256"
    cat "$file"
  } >"$file.headsup-new"
  chown postgres:postgres "$file.headsup-new"
  chmod 0640 "$file.headsup-new"
  mv "$file.headsup-new" "$file"
  return 0
}

# Runs SQL from standard input as the postgres superuser over the unix socket (peer authentication).
superuser_psql() {
  runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=terse --port "$1" --dbname postgres "${@:2}"
}

ensure_role() {
  local port=$1 quoted_password=${password//\'/\'\'}
  # The session settings keep the statement, and with it the password, out of the server log even
  # when it fails.
  superuser_psql "$port" <<SQL
SET log_statement = 'none';
SET log_min_error_statement = 'panic';
SELECT format('CREATE ROLE %I', '$role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role')
\gexec
ALTER ROLE $role WITH LOGIN CREATEDB CREATEROLE PASSWORD '$quoted_password';
SQL
}

write_env_file() {
  local port=$1 version=$2 dir tmp
  dir=$(dirname "$env_file")
  if [ -n "$env_owner" ]; then
    runuser -u "$env_owner" -- mkdir -p "$dir"
  else
    mkdir -p "$dir"
  fi
  tmp=$(mktemp "$dir/.postgres.env.XXXXXX")
  chmod 0600 "$tmp"
  {
    echo "# PostgreSQL server of the headsup tests, written by scripts/setup-postgres.sh."
    echo "# Contains the password of a test-only role; keep the mode 0600."
    printf "HEADSUP_PG_HOST='%s'\n" "$host"
    printf "HEADSUP_PG_PORT='%s'\n" "$port"
    printf "HEADSUP_PG_USER='%s'\n" "$role"
    printf "HEADSUP_PG_PASSWORD='%s'\n" "${password//\'/\'\\\'\'}"
    printf "HEADSUP_PG_DATABASE='postgres'\n"
    printf "HEADSUP_PG_SERVER_VERSION='%s'\n" "$version"
  } >"$tmp"
  [ -z "$env_owner" ] || chown "$env_owner:" "$tmp"
  mv "$tmp" "$env_file"
}

install_packages

line=$(cluster_line)
if [ -z "$line" ]; then
  create_cluster
  line=$(cluster_line)
  [ -n "$line" ] || fail "pg_createcluster did not create cluster $cluster"
fi
read -r version port status <<<"$line"

restart=0
configure_listen "$version" && restart=1
reload=0
configure_hba "$version" && reload=1

if [ "$status" != online ]; then
  say "starting cluster $version/$cluster"
  pg_ctlcluster "$version" "$cluster" start
elif [ "$restart" -eq 1 ]; then
  say "restarting cluster $version/$cluster to listen on $host only"
  pg_ctlcluster "$version" "$cluster" restart
elif [ "$reload" -eq 1 ]; then
  pg_ctlcluster "$version" "$cluster" reload
fi

listen=$(superuser_psql "$port" -At -c 'SHOW listen_addresses')
[ "$listen" = "$host" ] || fail "cluster $version/$cluster listens on '$listen', expected '$host'; check /etc/postgresql/$version/$cluster/postgresql.conf"

ensure_role "$port"

can_log_in "$port" "$password" ||
  fail "role $role cannot log in on $host:$port with its password; check /etc/postgresql/$version/$cluster/pg_hba.conf and the server log /var/log/postgresql/postgresql-$version-$cluster.log"
if can_log_in "$port" "headsup-wrong-password-check"; then
  fail "$host:$port accepts role $role without its password (a trust rule in /etc/postgresql/$version/$cluster/pg_hba.conf?); the tests need password authentication"
fi

write_env_file "$port" "$version"
say "PostgreSQL $version (cluster $cluster) listens on $host:$port; role $role logs in with a password"
say "settings for the tests: $env_file (host $host, port $port, user $role, password not shown)"
