#!/usr/bin/env bash
# The benchmark in one command: builds our server (Release), starts it on a real
# database (SQLite and/or a throwaway PostgreSQL cluster), starts node-oidc-provider (pinned in
# package-lock.json) configured the same way, drives both with the same load generator, measures
# the password-hash rate of this machine, and prints a table. Results: bench/results/latest.json
# and bench/results/latest.svg (a --quick or --login-only run writes them into its run folder
# instead); every run but a --quick one is also kept as bench/results/<run>.json, the run history;
# logs and raw results of the run in bench/results/tmp/<run>/.
#
#   bench/run.sh [--duration 10] [--warmup 60] [--connections 32] [--db sqlite|postgres|both]
#                [--quick] [--login-only] [--scale] [--scale-tenants 10000] [--scale-users 1000000]
#                [--scale-warmup 10] [--node-alg auto|RS256|ES256] [--id-token-alg ES256|RS256]
#                [--argon2id-memory-kib M] [--argon2id-iterations T] [--skip-build] [--keep]
#
#   --duration S      measured seconds per scenario (default 10; --quick: 5)
#   --warmup S        seconds of the same load before each measurement, not counted (default 60;
#                     --quick: 5). A fresh process's refresh path needs about a minute of load to
#                     reach its steady rate (tiered compilation, dynamic PGO).
#   --connections N   concurrent connections / virtual users (default 32)
#   --db              which databases our server runs on (default both)
#   --login-only      only the login scenario and the password-hash measurements around it (no
#                     token scenarios, no node-oidc-provider, no scale rows)
#   --argon2id-memory-kib, --argon2id-iterations
#                     Passwords:Argon2id for the server and the hash measurement alike (default:
#                     the server's appsettings.json, OWASP's minimum m=19456 KiB, t=2)
#   --scale           after the empty-database scenarios, insert --scale-tenants tenants and
#                     --scale-users users with SQL and run the token and login scenarios again
#   --scale-warmup S  warm-up before each scale scenario (default: min(warmup, 10); the server
#                     process is already warm from the empty-database scenarios)
#   --node-alg        access-token signing algorithm of node-oidc-provider; auto = that of our access tokens
#   --id-token-alg    id_token_signed_response_alg of the relying party bench-rp on both servers (default
#                     ES256: the bench's relying party validates ECDSA; RS256 is every client's default)
#   --skip-build      reuse the previous run's build (bench/results/tmp/build)
#   --idp DIR         run this published server folder instead of building one (bench/ab.sh: two builds)
#   --only cc|refresh one scenario of our server only: no hash rate, no node-oidc-provider, no report
#                     or history entry; its raw result is results/<scenario>-ours-<db>.json in the run
#                     folder (bench/ab.sh reads it)
#   --keep            keep the databases of the run (they are deleted at the end otherwise)
#
# Needs: the .NET 10 SDK, Node.js 20+ with npm; installs Debian's postgresql and sqlite3 when
# missing (root). Load goes to 127.0.0.1 only, and every load phase is bounded in time.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
COMMAND_LINE="bench/run.sh $*"

DURATION=""; WARMUP=""; CONNECTIONS=32; DBS=both; QUICK=0; SCALE=0; LOGIN_ONLY=0
SCALE_TENANTS=10000; SCALE_USERS=1000000; SCALE_WARMUP=""; NODE_ALG=auto; ID_TOKEN_ALG=ES256; SKIP_BUILD=0; KEEP=0
IDP_DIR=""; ONLY=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --db) DBS="$2"; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --login-only) LOGIN_ONLY=1; shift ;;
    --argon2id-memory-kib) export Passwords__Argon2id__MemorySizeKiB="$2"; shift 2 ;;
    --argon2id-iterations) export Passwords__Argon2id__Iterations="$2"; shift 2 ;;
    --scale) SCALE=1; shift ;;
    --scale-tenants) SCALE_TENANTS="$2"; shift 2 ;;
    --scale-users) SCALE_USERS="$2"; shift 2 ;;
    --scale-warmup) SCALE_WARMUP="$2"; shift 2 ;;
    --node-alg) NODE_ALG="$2"; shift 2 ;;
    --id-token-alg) ID_TOKEN_ALG="$2"; shift 2 ;;
    --skip-build) SKIP_BUILD=1; shift ;;
    --idp) IDP_DIR="$(cd "$2" && pwd)"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ $QUICK == 1 ]]; then DURATION="${DURATION:-5}"; WARMUP="${WARMUP:-5}"; fi
DURATION="${DURATION:-10}"; WARMUP="${WARMUP:-60}"
SCALE_WARMUP="${SCALE_WARMUP:-$(( WARMUP < 10 ? WARMUP : 10 ))}"
case "$ID_TOKEN_ALG" in
  RS256|ES256) ;;
  *) echo "run.sh: --id-token-alg must be ES256 or RS256" >&2; exit 2 ;;
esac
case "$ONLY" in
  ""|cc|refresh) ;;
  *) echo "run.sh: --only must be cc or refresh" >&2; exit 2 ;;
esac
case "$DBS" in
  both) DB_LIST=(sqlite postgres) ;;
  sqlite|postgres) DB_LIST=("$DBS") ;;
  *) echo "run.sh: --db must be sqlite, postgres or both" >&2; exit 2 ;;
esac

RUN_ID="$(date -u +%Y%m%dT%H%M%SZ)"
WORK="$BENCH/results/tmp/$RUN_ID"
BUILD="$BENCH/results/tmp/build"
RESULTS="$WORK/results"
mkdir -p "$RESULTS" "$WORK/logs"

# Fixed credentials of the benchmark's own throwaway databases.
CC_SECRET="bench-cc-secret-0123456789abcdefghijklmnop"
PASSWORD='tQ7!vR2#mB9x-Hako'
REDIRECT_URI="http://127.0.0.1:7999/cb"

say() { echo "run.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# --- cleanup: only what this script started, by pid ------------------------------------------
SERVER_PID=""; NODE_PID=""; PG_DIR=""; PG_BIN=""
cleanup() {
  local rc=$?
  local pid
  for pid in "$SERVER_PID" "$NODE_PID"; do
    if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  done
  if [[ -n "$PG_DIR" && -d "$PG_DIR" ]]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    [[ $KEEP == 1 ]] || rm -rf -- "$PG_DIR"
  fi
  [[ $KEEP == 1 ]] || rm -f "$WORK"/sqlite/*.db "$WORK"/sqlite/*.db-* 2>/dev/null || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- prerequisites ---------------------------------------------------------------------------
command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is required"
command -v node >/dev/null || die "Node.js is required"
command -v npm >/dev/null || die "npm is required"
newest_pg_bin() { local d; for d in /usr/lib/postgresql/*/bin; do [[ -x "$d/initdb" ]] && echo "$d"; done | sort -V | tail -n 1; }
missing=()
[[ " ${DB_LIST[*]} " == *" postgres "* && -z "$(newest_pg_bin)" ]] && missing+=(postgresql)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
if [[ ${#missing[@]} -gt 0 ]]; then
  [[ $(id -u) == 0 ]] || die "missing Debian packages: ${missing[*]} (run as root to install them)"
  say "installing ${missing[*]}"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [[ ! -d "$BENCH/node_modules/oidc-provider" || "$BENCH/package-lock.json" -nt "$BENCH/node_modules/.package-lock.json" ]]; then
  say "npm ci (oidc-provider, autocannon, undici as pinned in package-lock.json)"
  (cd "$BENCH" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
wait_http() { # url seconds pid
  local i
  for ((i = 0; i < $2 * 4; i++)); do
    curl -sf -o /dev/null "$1" && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.25
  done
  return 1
}

# --- build -----------------------------------------------------------------------------------
if [[ -n "$IDP_DIR" ]]; then
  [[ -f "$IDP_DIR/IdentityProvider.dll" ]] || die "--idp $IDP_DIR: no IdentityProvider.dll there"
elif [[ $SKIP_BUILD == 0 || ! -f "$BUILD/idp/IdentityProvider.dll" ]]; then
  say "dotnet publish src/IdentityProvider -c Release"
  rm -rf "$BUILD"
  dotnet publish "$ROOT/src/IdentityProvider" -c Release -o "$BUILD/idp" >"$WORK/logs/publish.log" 2>&1 \
    || { tail -n 30 "$WORK/logs/publish.log" >&2; die "publish failed"; }
  dotnet build "$BENCH/PasswordHashRate" -c Release -o "$BUILD/hashrate" >"$WORK/logs/hashrate-build.log" 2>&1 \
    || { tail -n 30 "$WORK/logs/hashrate-build.log" >&2; die "PasswordHashRate build failed"; }
fi
IDP="${IDP_DIR:-$BUILD/idp}"

# --- machine and settings --------------------------------------------------------------------
cat >"$WORK/settings.json" <<EOF
{
  "command": "$COMMAND_LINE",
  "runId": "$RUN_ID",
  "gitCommit": "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)",
  "durationSeconds": $DURATION,
  "warmupSeconds": $WARMUP,
  "scaleWarmupSeconds": $SCALE_WARMUP,
  "connections": $CONNECTIONS,
  "databases": "$DBS",
  "quick": $([[ $QUICK == 1 ]] && echo true || echo false),
  "loginOnly": $([[ $LOGIN_ONLY == 1 ]] && echo true || echo false),
  "scale": $([[ $SCALE == 1 ]] && echo "{ \"tenants\": $SCALE_TENANTS, \"users\": $SCALE_USERS }" || echo null),
  "server": "Release build (dotnet publish), ASPNETCORE_ENVIRONMENT=Production, default GC and tiered PGO settings of the project, Logging Warning",
  "loadGenerator": "autocannon 9.0.0 (client credentials), undici 6.29.1 loops (refresh chains, login flow); same process and machine for both servers"
}
EOF
{
  echo "{"
  echo "  \"nproc\": $(nproc),"
  echo "  \"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//; s/"/\\"/g')\","
  echo "  \"memoryGiB\": $(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo),"
  # shellcheck disable=SC1091
  echo "  \"os\": \"$( (. /etc/os-release && echo "$PRETTY_NAME") | sed 's/"/\\"/g')\","
  echo "  \"kernel\": \"$(uname -r)\","
  echo "  \"dotnet\": \"$(dotnet --version)\","
  echo "  \"node\": \"$(node --version)\","
  echo "  \"postgres\": \"$( [[ -n "$(newest_pg_bin)" ]] && "$(newest_pg_bin)/postgres" --version | awk '{print $3}' || echo none)\","
  echo "  \"sqlite\": \"$(sqlite3 --version | awk '{print $1}')\","
  echo "  \"loadAverageAtStart\": [$(cut -d' ' -f1-3 /proc/loadavg | sed 's/ /, /g')]"
  echo "}"
} >"$WORK/machine.json"
say "run $RUN_ID: warm-up ${WARMUP}s, duration ${DURATION}s, ${CONNECTIONS} connections, db ${DBS}, scale $SCALE; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- 1. the password hash alone ----------------------------------------------------------------
# Measured at the start and again right before and right after each login scenario, since the
# machine's speed drifts within minutes on a shared VM and other work changes both numbers;
# each login row is compared with the mean of the two hash rates measured around it. The tool runs
# the server's own hasher with the server's Passwords:Argon2id: its appsettings.json from the publish
# folder and the same environment (--argon2id-* above), validated as at the server's start.
measure_hash() { # name
  say "password hash rate ($(nproc) threads, ${DURATION}s)"
  dotnet "$BUILD/hashrate/PasswordHashRate.dll" --config "$IDP" --threads "$(nproc)" --seconds "$DURATION" --warmup 3 \
    --json "$RESULTS/$1.json" >>"$WORK/logs/hashrate.log" || die "PasswordHashRate failed (see $WORK/logs/hashrate.log)"
}
[[ -n "$ONLY" ]] || measure_hash password-hash

# --- databases ---------------------------------------------------------------------------------
start_postgres() {
  PG_BIN="$(newest_pg_bin)"
  PG_DIR="$(runuser -u postgres -- mktemp -d /tmp/idp-bench-pg-XXXXXXXX)"
  (cd / && runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8) \
    >"$WORK/logs/initdb.log" 2>&1 || { cat "$WORK/logs/initdb.log" >&2; die "initdb failed"; }
  # fsync off: a throwaway cluster (every commit is still written and WAL-logged, just not flushed).
  cat >>"$PG_DIR/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DIR'
fsync = off
max_connections = 200
shared_buffers = 1GB
EOF
  PG_PORT="$(free_port)"
  (cd / && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 -o "-p $PG_PORT" start) \
    >"$WORK/logs/pg_ctl.log" 2>&1 || { cat "$PG_DIR/postgres.log" >&2; die "PostgreSQL did not start"; }
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAt -c "CREATE DATABASE idp_bench" >/dev/null
}

# sql DB "query": one value per line.
sql() {
  case "$1" in
    sqlite) sqlite3 -batch -noheader "$SQLITE_FILE" "$2" ;;
    postgres) "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d idp_bench -qAt -c "$2" ;;
  esac
}
# sql_script DB < script
sql_script() {
  case "$1" in
    sqlite) sqlite3 -batch "$SQLITE_FILE" >/dev/null ;;
    postgres) "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d idp_bench -q -v ON_ERROR_STOP=1 >/dev/null ;;
  esac
}

use_database() {
  export ASPNETCORE_ENVIRONMENT=Production Oidc__RequireHttps=false Database__MigrateOnStart=true
  export Logging__LogLevel__Default=Warning Mail__From="bench <no-reply@bench.example>" Mail__PickupDirectory="$WORK/mail"
  # Every virtual user comes from 127.0.0.1 and signs in ~once a second: the login throttle (per
  # client address 100/min, per e-mail address 10/min) would answer 429. It stays in the pipeline,
  # with limits the load cannot reach.
  export RateLimits__Login__PerClient__PermitLimit=1000000 RateLimits__Login__PerAddress__PermitLimit=1000000
  case "$1" in
    sqlite)
      mkdir -p "$WORK/sqlite"
      SQLITE_FILE="$WORK/sqlite/idp.db"
      export Database__Provider=Sqlite ConnectionStrings__Default="Data Source=$SQLITE_FILE" ;;
    postgres)
      [[ -n "$PG_DIR" ]] || start_postgres
      export Database__Provider=PostgreSql ConnectionStrings__Default="Host=127.0.0.1;Port=$PG_PORT;Database=idp_bench;Username=postgres" ;;
  esac
}

idp() { (cd "$IDP" && dotnet IdentityProvider.dll "$@"); }

# migrate, clients, tenant, user u1 through the operator commands; u2..uN (one per virtual user,
# so that no two logins update the same row) with SQL, reusing u1's hash.
provision() {
  local db="$1" log="$WORK/logs/provision-$1.log"
  {
    idp migrate
    idp clients add --client-id bench-cc --secret "$CC_SECRET" --scope idp.admin
    idp clients add --client-id bench-rp --public --redirect-uri "$REDIRECT_URI" --id-token-signed-response-alg "$ID_TOKEN_ALG"
    idp tenants create --name bench --plan Basic --holder-email holder@bench.example --holder-password "$PASSWORD" --two-factor off
    idp users create --tenant bench --email u1@bench.example --password "$PASSWORD"
  } >"$log" 2>&1 || { cat "$log" >&2; die "provisioning $db failed"; }
  if [[ $db == postgres ]]; then
    USER_HASH="$(sql "$db" "SELECT \"PasswordHash\" FROM \"AspNetUsers\" WHERE \"NormalizedEmail\" = 'U1@BENCH.EXAMPLE'")"
    TENANT_ID="$(sql "$db" "SELECT \"TenantId\" FROM \"AspNetUsers\" WHERE \"NormalizedEmail\" = 'U1@BENCH.EXAMPLE'")"
  else
    USER_HASH="$(sql "$db" "SELECT PasswordHash FROM AspNetUsers WHERE NormalizedEmail = 'U1@BENCH.EXAMPLE'")"
    TENANT_ID="$(sql "$db" "SELECT TenantId FROM AspNetUsers WHERE NormalizedEmail = 'U1@BENCH.EXAMPLE'")"
  fi
  [[ -n "$USER_HASH" && -n "$TENANT_ID" ]] || die "u1 not found after provisioning $db"
  if [[ $CONNECTIONS -gt 1 ]]; then
    node "$BENCH/seed/generate.mjs" --db "$db" --mode extra --tenant-id "$TENANT_ID" --hash "$USER_HASH" \
      --template 'u{n}@bench.example' --from 2 --to "$CONNECTIONS" | sql_script "$db"
  fi
}

start_ours() {
  local db="$1"
  OURS_PORT="$(free_port)"
  # Outside Development the server needs its public URL (Oidc:Issuer), here the loopback address it listens on.
  (cd "$IDP" && exec dotnet IdentityProvider.dll --urls "http://127.0.0.1:$OURS_PORT" --Oidc:Issuer="http://127.0.0.1:$OURS_PORT/") >"$WORK/logs/ours-$db.log" 2>&1 &
  SERVER_PID=$!
  wait_http "http://127.0.0.1:$OURS_PORT/.well-known/openid-configuration" 90 "$SERVER_PID" \
    || { tail -n 40 "$WORK/logs/ours-$db.log" >&2; die "our server did not start on $db"; }
}

stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# --- scenarios ---------------------------------------------------------------------------------
# The PostgreSQL postmaster, whose backends' CPU is reported as the database's.
db_pid_args() {
  if [[ $1 == postgres && -n "$PG_DIR" ]]; then echo "--db-pid $(head -n 1 "$PG_DIR/data/postmaster.pid")"; fi
}
run_cc() { # target db base pid label warmup token-path
  # shellcheck disable=SC2046
  node "$BENCH/load/client-credentials.mjs" $(db_pid_args "$2") --target "$1" --db "$2" --base "$3" --pid "$4" --label "$5" \
    --warmup "$6" --duration "$DURATION" --connections "$CONNECTIONS" --token-path "$7" --secret "$CC_SECRET" \
    --out "$RESULTS/$5-$1-$2.json"
}
run_refresh() { # target db base pid label warmup token-path [tokens-file]
  local extra=()
  [[ -n "${8:-}" ]] && extra=(--tokens-file "$8")
  # shellcheck disable=SC2046
  node "$BENCH/load/refresh.mjs" $(db_pid_args "$2") --target "$1" --db "$2" --base "$3" --pid "$4" --label "$5" \
    --warmup "$6" --duration "$DURATION" --connections "$CONNECTIONS" --token-path "$7" \
    --password "$PASSWORD" --redirect-uri "$REDIRECT_URI" "${extra[@]}" --out "$RESULTS/$5-$1-$2.json"
}
run_login() { # db base pid label warmup user-template user-count pick
  # shellcheck disable=SC2046
  node "$BENCH/load/login.mjs" $(db_pid_args "$1") --target ours --db "$1" --base "$2" --pid "$3" --label "$4" \
    --warmup "$5" --duration "$DURATION" --connections "$CONNECTIONS" --password "$PASSWORD" \
    --redirect-uri "$REDIRECT_URI" --user-template "$6" --user-count "$7" --user-pick "$8" \
    --out "$RESULTS/$4-ours-$1.json"
}

# "Durably recorded": every rotated refresh token must be a row in the database. Counted right
# after a refresh scenario and compared by the report with the refreshes the load completed.
record_stored_tokens() { # db label
  local q count redeemed
  # OpenIddict stores the type as a URN (urn:ietf:params:oauth:token-type:refresh_token).
  if [[ $1 == postgres ]]; then q='FROM "OpenIddictTokens" WHERE "Type" LIKE '"'%refresh_token'"; else q="FROM OpenIddictTokens WHERE Type LIKE '%refresh_token'"; fi
  count="$(sql "$1" "SELECT count(*) $q")"
  if [[ $1 == postgres ]]; then redeemed="$(sql "$1" "SELECT count(*) $q AND \"Status\" = 'redeemed'")"; else redeemed="$(sql "$1" "SELECT count(*) $q AND Status = 'redeemed'")"; fi
  echo "{ \"db\": \"$1\", \"after\": \"$2\", \"refreshTokenRows\": $count, \"redeemedRefreshTokenRows\": $redeemed }" >"$RESULTS/stored-$2-$1.json"
}

seed_scale() {
  local db="$1" started
  started=$(date +%s)
  say "seeding $SCALE_TENANTS tenants and $SCALE_USERS users into $db"
  node "$BENCH/seed/generate.mjs" --db "$db" --mode scale --tenants "$SCALE_TENANTS" --users "$SCALE_USERS" \
    --hash "$USER_HASH" | sql_script "$db"
  local users
  if [[ $db == postgres ]]; then users="$(sql "$db" 'SELECT count(*) FROM "AspNetUsers"')"; else users="$(sql "$db" 'SELECT count(*) FROM AspNetUsers')"; fi
  say "seeded in $(( $(date +%s) - started )) s; $users users in the database"
  echo "{ \"db\": \"$db\", \"seconds\": $(( $(date +%s) - started )), \"usersInDatabase\": $users, \"tenants\": $SCALE_TENANTS, \"users\": $SCALE_USERS }" \
    >"$RESULTS/seed-$db.json"
}

OUR_ALG=""
for db in "${DB_LIST[@]}"; do
  say "--- our server on $db"
  use_database "$db"
  provision "$db"
  start_ours "$db"
  base="http://127.0.0.1:$OURS_PORT"
  if [[ $LOGIN_ONLY == 1 ]]; then
    measure_hash "password-hash-$db"
    run_login "$db" "$base" "$SERVER_PID" login "$WARMUP" 'u{n}@bench.example' "$CONNECTIONS" vu
    measure_hash "password-hash-$db-after"
    stop_pid "$SERVER_PID"; SERVER_PID=""
    continue
  fi
  if [[ -n "$ONLY" ]]; then
    case "$ONLY" in
      cc) run_cc ours "$db" "$base" "$SERVER_PID" client-credentials "$WARMUP" /connect/token ;;
      refresh) run_refresh ours "$db" "$base" "$SERVER_PID" refresh "$WARMUP" /connect/token ;;
    esac
    stop_pid "$SERVER_PID"; SERVER_PID=""
    continue
  fi
  # The algorithm of the access tokens we issue (ID tokens: --id-token-alg on both sides).
  [[ -n "$OUR_ALG" ]] || OUR_ALG="$(curl -sf -X POST "$base/connect/token" --data-urlencode grant_type=client_credentials \
    --data-urlencode client_id=bench-cc --data-urlencode "client_secret=$CC_SECRET" --data-urlencode scope=idp.admin \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(Buffer.from(JSON.parse(s).access_token.split(".")[0],"base64url")).alg))')"
  run_cc ours "$db" "$base" "$SERVER_PID" client-credentials "$WARMUP" /connect/token
  run_refresh ours "$db" "$base" "$SERVER_PID" refresh "$WARMUP" /connect/token
  record_stored_tokens "$db" refresh
  measure_hash "password-hash-$db"
  run_login "$db" "$base" "$SERVER_PID" login "$WARMUP" 'u{n}@bench.example' "$CONNECTIONS" vu
  measure_hash "password-hash-$db-after"
  if [[ $SCALE == 1 ]]; then
    # Same server process, so only the size of the database differs from the rows above.
    seed_scale "$db"
    run_cc ours "$db" "$base" "$SERVER_PID" scale-client-credentials "$SCALE_WARMUP" /connect/token
    run_refresh ours "$db" "$base" "$SERVER_PID" scale-refresh "$SCALE_WARMUP" /connect/token
    record_stored_tokens "$db" scale-refresh
    run_login "$db" "$base" "$SERVER_PID" scale-login "$SCALE_WARMUP" 's{n}@scale.example' "$SCALE_USERS" random
  fi
  stop_pid "$SERVER_PID"; SERVER_PID=""
done

[[ -z "$ONLY" ]] || { say "raw results and logs: ${WORK#"$ROOT/"}"; exit 0; }

# --- node-oidc-provider ------------------------------------------------------------------------
if [[ $LOGIN_ONLY == 0 ]]; then
[[ $NODE_ALG == auto ]] && NODE_ALG="${OUR_ALG:-RS256}"
say "--- node-oidc-provider $(node -p "require('$BENCH/node_modules/oidc-provider/package.json').version") ($NODE_ALG, in-memory adapter)"
NODE_PORT="$(free_port)"
rm -f "$WORK/node-refresh-tokens.json"
NODE_ENV=production node "$BENCH/node-provider/server.mjs" --port "$NODE_PORT" --alg "$NODE_ALG" --id-token-alg "$ID_TOKEN_ALG" --secret "$CC_SECRET" \
  --refresh-tokens "$CONNECTIONS" --refresh-out "$WORK/node-refresh-tokens.json" >"$WORK/logs/node-provider.log" 2>&1 &
NODE_PID=$!
wait_http "http://127.0.0.1:$NODE_PORT/.well-known/openid-configuration" 30 "$NODE_PID" \
  || { cat "$WORK/logs/node-provider.log" >&2; die "node-oidc-provider did not start"; }
for _ in $(seq 1 40); do [[ -s "$WORK/node-refresh-tokens.json" ]] && break; sleep 0.25; done
node_base="http://127.0.0.1:$NODE_PORT"
run_cc theirs node "$node_base" "$NODE_PID" client-credentials "$WARMUP" /token
run_refresh theirs node "$node_base" "$NODE_PID" refresh "$WARMUP" /token "$WORK/node-refresh-tokens.json"
stop_pid "$NODE_PID"; NODE_PID=""
echo "{ \"version\": \"$(node -p "require('$BENCH/node_modules/oidc-provider/package.json').version")\", \"alg\": \"$NODE_ALG\", \"ourAlg\": \"${OUR_ALG:-unknown}\", \"idTokenAlg\": \"$ID_TOKEN_ALG\" }" >"$WORK/node.json"
fi

# --- report ------------------------------------------------------------------------------------
sed -i "s/\"loadAverageAtStart\"/\"loadAverageAtEnd\": [$(cut -d' ' -f1-3 /proc/loadavg | sed 's/ /, /g')],\n  \"loadAverageAtStart\"/" "$WORK/machine.json"
# A --quick or --login-only run proves the harness or checks one row; it does not replace the last full run.
if [[ $QUICK == 1 || $LOGIN_ONLY == 1 ]]; then OUT="$WORK/report"; else OUT="$BENCH/results/latest"; fi
node "$BENCH/load/report.mjs" --work "$WORK" --json "$OUT.json" --svg "$OUT.svg" --markdown "$WORK/table.md"
say "results: ${OUT#"$ROOT/"}.json, ${OUT#"$ROOT/"}.svg"
# Every run but a --quick one is kept under its id: bench/results/*.json is the run history.
if [[ $QUICK == 0 ]]; then
  cp "$OUT.json" "$BENCH/results/$RUN_ID.json"
  say "kept as bench/results/$RUN_ID.json"
fi
say "raw results and logs: ${WORK#"$ROOT/"}"
