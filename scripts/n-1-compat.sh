#!/usr/bin/env bash
# N-1 compatibility of the newest migration (blue/green of Turnout itself): the colour being replaced keeps running on
# the schema the new colour migrated to, and an operator may roll Turnout back to it at any time. This script builds
# the jar of the commit before the newest migration (in a temporary git worktree) and the current jar, starts one
# PostgreSQL, starts the NEW build on it (Flyway migrates to the newest schema), then the OLD build on the same
# database (its Flyway must accept migrations it does not know), and drives the management and prediction API on both
# colours, each reading what the other wrote: list, upload, flip, predict, deactivate (refused by an old build without
# it, which is fine), history, rollback. Any 5xx, any refused connection, and any call that must succeed but does not,
# is a FAIL.
#
#   scripts/n-1-compat.sh              # old = the parent of the newest commit that touched migrations/
#   scripts/n-1-compat.sh <commit>     # old = that commit (e.g. an older release still deployed as the other colour)
#
# Environment (all optional):
#   OLD_APP_DIR   a packaged old build (its quarkus-app directory) to use instead of building the old commit
#   NEW_APP_DIR   the packaged new build (default target/quarkus-app of this checkout, rebuilt first when any file
#                 under src/main, migrations/ or pom.xml is newer than it)
#   TIME_LIMIT    seconds for the whole run, builds included (default 1500); past it everything is stopped: FAIL
#   KEEP_LOGS=DIR copy both servers' logs and PostgreSQL's log to DIR before cleanup
#
# Maven runs only through mvnlock, offline. PostgreSQL: Debian's binaries (apt-get install postgresql when missing and
# run as root), run as the postgres user (or as you when not root) in a temporary directory on a free port. Tokens: one
# generated for this run, given to both servers as TURNOUT_SECURITY_TOKENS_N1COMPAT_{SHA256,ROLES}. Everything listens
# on 127.0.0.1 only. On exit, also on failure, timeout or Ctrl-C, both servers and PostgreSQL are stopped, the git
# worktree removed and the temporary directory deleted.
# Exit status: 0 PASS, 1 FAIL (a compatibility problem, or TIME_LIMIT ran out), 2 the check itself could not run.
# A run takes about 2 minutes on 2 cores, most of it building the old commit; 1 more when the current jar is rebuilt.
set -Eeuo pipefail

TIME_LIMIT="${TIME_LIMIT:-1500}"
# Bounded as a whole: timeout signals this script's process group (builds, servers, curl); the trap then cleans up.
if [[ -z ${N1_COMPAT_TIMED:-} ]]; then
    N1_COMPAT_TIMED=1 exec timeout --preserve-status --kill-after=90 "$TIME_LIMIT" "$0" "$@"
fi

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
MODELS="$REPO/src/test/resources/models"
MODEL=n1compat
TOKEN_NAME=N1COMPAT
HEAP=512m
READY_TIMEOUT=180 # s, server start until /q/health/ready answers 200
PG_TIMEOUT=60     # s, PostgreSQL start / stop
STOP_TIMEOUT=30   # s, SIGTERM until a server exits
HTTP_TIMEOUT=60   # s, one API call (flips wait at most WAIT)
WAIT=20s          # ?wait= of flips, rollbacks and deactivations: both colours are live replicas

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "CANNOT RUN: $*"; exit 2; }

# ---------------------------------------------------------------------------------------------------------------------
# Which builds
# ---------------------------------------------------------------------------------------------------------------------
cd "$REPO"
NEWEST_MIGRATION="$(ls migrations | sort -V | tail -1)"
MIGRATION_COMMIT="$(git log -1 --format=%H -- migrations/)"
[[ -n $MIGRATION_COMMIT ]] || die "no commit touches migrations/"
OLD_REF="${1:-$MIGRATION_COMMIT^}"
OLD_COMMIT="$(git rev-parse --verify --quiet "$OLD_REF^{commit}")" || die "'$OLD_REF' is not a commit"
log "newest migration: $NEWEST_MIGRATION, last changed by $(git log -1 --format='%h %s' "$MIGRATION_COMMIT" | cut -c1-100)"
log "old colour: $(git log -1 --format='%h %s' "$OLD_COMMIT" | cut -c1-100)"
log "old colour's migrations: $(git ls-tree --name-only "$OLD_COMMIT" migrations/ | xargs -n1 basename | tr '\n' ' ')"

# ---------------------------------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------------------------------
missing=()
for tool in curl jq git java; do command -v "$tool" >/dev/null || missing+=("$tool"); done
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
[[ -n $PG_BIN && -x $PG_BIN/initdb ]] || missing+=(postgresql)
if ((${#missing[@]})); then
    packages=("${missing[@]/java/default-jdk-headless}")
    [[ $(id -u) == 0 ]] || die "missing: ${missing[*]} (apt-get install ${packages[*]})"
    log "installing ${packages[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "${packages[@]}" >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "${packages[@]}" >/dev/null; } \
        || die "apt-get install ${packages[*]} failed"
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi
command -v mvnlock >/dev/null || [[ -n ${OLD_APP_DIR:-} ]] || die "mvnlock is not on PATH (Maven runs only through it)"
if [[ $(id -u) == 0 ]]; then
    id postgres >/dev/null 2>&1 || die "no 'postgres' user to run PostgreSQL as (apt-get install postgresql creates it)"
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi
for fixture in linear-v1.onnx linear-v2.onnx; do
    [[ -f $MODELS/$fixture ]] || die "$MODELS/$fixture is missing"
done

# ---------------------------------------------------------------------------------------------------------------------
# Cleanup, on every exit
# ---------------------------------------------------------------------------------------------------------------------
WORK="$(mktemp -d /tmp/n-1-compat.XXXXXX)"
chmod 711 "$WORK" # the postgres user reaches its data dir inside
PGDATA="$WORK/pg"
OLD_TREE="$WORK/old-src"
TREE_ADDED=""
PG_STARTED=""
declare -A PID=() HTTP=() MGMT=()
FAILURES=()

stop_pid() { # pid name
    local pid=$1 name=$2
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name (pid $pid) still running ${STOP_TIMEOUT}s after SIGTERM: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM
    ((rc == 143 || rc == 130)) && log "stopped (time limit of ${TIME_LIMIT}s or interrupted): FAIL"
    local colour
    for colour in "${!PID[@]}"; do stop_pid "${PID[$colour]}" "$colour build"; done
    if [[ -n $PG_STARTED ]]; then
        as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t "$PG_TIMEOUT" stop >/dev/null 2>&1
        if [[ -f $PGDATA/postmaster.pid ]]; then
            local pgpid
            pgpid="$(head -1 "$PGDATA/postmaster.pid")"
            [[ $pgpid =~ ^[0-9]+$ ]] && kill -0 "$pgpid" 2>/dev/null && kill -KILL "$pgpid"
        fi
    fi
    if [[ -n ${KEEP_LOGS:-} ]]; then
        mkdir -p "$KEEP_LOGS" && cp "$WORK"/*.log "$KEEP_LOGS"/ 2>/dev/null && log "logs kept in $KEEP_LOGS"
    fi
    if [[ -n $TREE_ADDED ]]; then
        git -C "$REPO" worktree remove --force "$OLD_TREE" >/dev/null 2>&1
        git -C "$REPO" worktree prune
    fi
    rm -rf "$WORK"
    ((rc == 0 || rc == 1 || rc == 2)) || rc=1
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------------------------------
# Builds
# ---------------------------------------------------------------------------------------------------------------------
build() { # dir what
    log "building $2: mvnlock -o -B package -DskipTests (in $1)"
    (cd "$1" && mvnlock -o -B -q package -DskipTests) >"$WORK/build-$3.log" 2>&1 \
        || { tail -30 "$WORK/build-$3.log" >&2; die "the build of $2 failed"; }
}

OLD_APP="${OLD_APP_DIR:-}"
if [[ -z $OLD_APP ]]; then
    log "git worktree for $OLD_COMMIT in $OLD_TREE"
    git worktree add --detach "$OLD_TREE" "$OLD_COMMIT" >/dev/null 2>&1 || die "git worktree add failed"
    TREE_ADDED=1
    build "$OLD_TREE" "the old commit" old
    OLD_APP="$OLD_TREE/target/quarkus-app"
fi
[[ -f $OLD_APP/quarkus-run.jar ]] || die "no old build at $OLD_APP"

NEW_APP="${NEW_APP_DIR:-$REPO/target/quarkus-app}"
if [[ -z ${NEW_APP_DIR:-} ]]; then
    app_jar="$(ls "$NEW_APP"/app/*.jar 2>/dev/null | head -1 || true)"
    if [[ -z $app_jar ]] || [[ -n $(find "$REPO/src/main" "$REPO/migrations" "$REPO/pom.xml" -newer "$app_jar" -print -quit) ]]; then
        build "$REPO" "the current checkout" new
    else
        log "using the current build in $NEW_APP (newer than every source file)"
    fi
fi
[[ -f $NEW_APP/quarkus-run.jar ]] || die "no new build at $NEW_APP"

# ---------------------------------------------------------------------------------------------------------------------
# PostgreSQL and the two colours
# ---------------------------------------------------------------------------------------------------------------------
free_port() { # a port nothing on 127.0.0.1 listens on, from $1 up
    local port=$1
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    echo "$port"
}
PG_PORT="$(free_port 25600)"
HTTP[new]="$(free_port 18600)"; MGMT[new]="$(free_port 18620)"
HTTP[old]="$(free_port 18640)"; MGMT[old]="$(free_port 18660)"

mkdir -p "$PGDATA" && chmod 700 "$PGDATA"
[[ $(id -u) == 0 ]] && chown postgres:postgres "$PGDATA" && touch "$WORK/postgres.log" && chown postgres "$WORK/postgres.log"
log "PostgreSQL ($PG_BIN) on 127.0.0.1:$PG_PORT"
as_pg "$PG_BIN/initdb" -D "$PGDATA" -A trust -U postgres --no-sync >"$WORK/initdb.log" 2>&1 \
    || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
PG_STARTED=1
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$WORK/postgres.log" -w -t "$PG_TIMEOUT" \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PGDATA" start >/dev/null \
    || { cat "$WORK/postgres.log" >&2; die "PostgreSQL did not start"; }

TOKEN="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
(umask 077 && printf 'Authorization: Bearer %s\n' "$TOKEN" >"$WORK/auth.header")
AUTH=(-H "@$WORK/auth.header")

# Both colours get the environment Kubernetes gives them: the data of this checkout's ConfigMap (deploy/), which the
# two Deployments share, and a database and tokens of this run's own.
CONFIGMAP_ENV=()
while IFS= read -r entry; do CONFIGMAP_ENV+=("$entry"); done < <(awk '
    /^data:/ { data = 1; next }
    data && /^[^ #]/ { data = 0 }
    data && /^  [A-Z0-9_]+:/ {
        key = $1; sub(/:$/, "", key)
        value = $0; sub(/^  [A-Z0-9_]+:[ ]*/, "", value); gsub(/^"|"$/, "", value)
        print key "=" value
    }' "$REPO/deploy/turnout-config.yml")
log "environment from deploy/turnout-config.yml: ${CONFIGMAP_ENV[*]:-none}"

start_colour() { # colour app-dir [NAME=value...]: 0 once ready, 1 when the server exited while starting
    local colour=$1 app=$2
    shift 2
    mkdir -p "$WORK/data-$colour"
    env "${CONFIGMAP_ENV[@]}" "$@" \
        QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" \
        QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD=unused \
        "TURNOUT_SECURITY_TOKENS_${TOKEN_NAME}_SHA256=$(printf %s "$TOKEN" | sha256sum | cut -c1-64)" \
        "TURNOUT_SECURITY_TOKENS_${TOKEN_NAME}_ROLES=publisher,operator,viewer" \
        TURNOUT_DATA_DIR="$WORK/data-$colour" TURNOUT_ROLLOUT_REPLICA_ID="$colour" \
        java "-Xmx$HEAP" -Dquarkus.http.host=127.0.0.1 "-Dquarkus.http.port=${HTTP[$colour]}" \
            -Dquarkus.management.host=127.0.0.1 "-Dquarkus.management.port=${MGMT[$colour]}" \
            -jar "$app/quarkus-run.jar" >>"$WORK/$colour.log" 2>&1 </dev/null &
    PID[$colour]=$!
    log "started the $colour build on 127.0.0.1:${HTTP[$colour]} (pid ${PID[$colour]}${*:+; also $*}), waiting for readiness"
    local deadline=$((SECONDS + READY_TIMEOUT))
    until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:${MGMT[$colour]}/q/health/ready" \
                || true) == 200 ]]; do
        if ! kill -0 "${PID[$colour]}" 2>/dev/null; then
            wait "${PID[$colour]}" 2>/dev/null || true
            unset "PID[$colour]"
            return 1
        fi
        ((SECONDS < deadline)) || { tail -40 "$WORK/$colour.log" >&2; die "the $colour build is not ready after ${READY_TIMEOUT}s"; }
        sleep 0.5
    done
}

finish() {
    echo
    if ((${#FAILURES[@]})); then
        log "FAIL: the old colour and the newest schema do not coexist"
        local failure
        for failure in "${FAILURES[@]}"; do log "  - $failure"; done
        exit 1
    fi
    log "PASS: both colours answered every call without a 5xx, on schema $NEWEST_MIGRATION"
    exit 0
}

# ---------------------------------------------------------------------------------------------------------------------
# The API on both colours
# ---------------------------------------------------------------------------------------------------------------------
# call COLOUR MUST METHOD PATH [curl args]: MUST is 2xx (the call has to succeed) or any (a 4xx is an answer too).
# Sets CODE and BODY. A 5xx or no answer is always a failure.
call() {
    local colour=$1 must=$2 method=$3 path=$4
    shift 4
    CODE="$(curl -s -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' --max-time "$HTTP_TIMEOUT" -X "$method" \
        "${AUTH[@]}" "$@" "http://127.0.0.1:${HTTP[$colour]}$path" || true)"
    BODY="$(cat "$WORK/body" 2>/dev/null || true)"
    log "$(printf '%-3s %-6s %-52s -> %s' "$colour" "$method" "$path" "$CODE")"
    if [[ $CODE == 000 || $CODE == 5* ]]; then
        FAILURES+=("$colour: $method $path answered ${CODE/#000/nothing}: $(head -c 300 <<<"$BODY")")
    elif [[ $must == 2xx && $CODE != 2* ]]; then
        FAILURES+=("$colour: $method $path must succeed, answered $CODE: $(head -c 300 <<<"$BODY")")
    fi
}

check() { # description, then a command that must succeed
    local what=$1
    shift
    "$@" >/dev/null 2>&1 || FAILURES+=("$what")
}

api=/api/models/$MODEL
upload() { call "$1" 2xx POST "$api/versions" -F "artifact=@$MODELS/$2" -F 'metrics={"rmse": 0.0}'; }
flip() { call "$1" 2xx PUT "$api/active?wait=$WAIT" -H 'Content-Type: application/json' -d "{\"version\": $2, \"reason\": \"n-1 check\"}"; }
rollback() { call "$1" "$2" POST "$api/rollback?wait=$WAIT"; }
deactivate() { call "$1" "$2" DELETE "$api/active?wait=$WAIT"; }
history() {
    call "$1" 2xx GET "$api/activations"
    if [[ $CODE == 200 ]]; then
        log "    $(jq -c '[.[] | "\(.kind) \(.version) (was \(.previous_version))"]' <<<"$BODY")"
    fi
}
predict() { # colour [must]: by default 2xx; logs the version that says it answered
    call "$1" "${2:-2xx}" POST "/v2/models/$MODEL/infer" -H 'Content-Type: application/json' \
        -d '{"inputs":[{"name":"x","datatype":"FP32","shape":[1,1],"data":[3.0]}]}'
    if [[ $CODE == 200 ]]; then
        log "    version $(tr -d '\r' <"$WORK/headers" | awk -F': ' 'tolower($1)=="x-turnout-model-version"{print $2}') answered $(jq -c '.outputs[0].data' <<<"$BODY")"
    fi
}
versions_seen() { # colour count
    call "$1" 2xx GET "$api/versions"
    check "$1 sees $(jq length <<<"$BODY" 2>/dev/null || echo no) versions of $MODEL, not $2" \
        test "$(jq length <<<"$BODY" 2>/dev/null)" == "$2"
}

# README "Upgrading": from a build before V13, which cannot read bytea-chunk blobs, the new colour writes large objects
# until no replica of that build runs.
NEW_SETTINGS=()
if ! git ls-tree --name-only "$OLD_COMMIT" migrations/ | grep -q 'V13__'; then
    NEW_SETTINGS+=(TURNOUT_ARTIFACTS_POSTGRES_WRITE_CHUNKS=false)
fi
if ! start_colour new "$NEW_APP" "${NEW_SETTINGS[@]}"; then
    tail -40 "$WORK/new.log" >&2
    die "the new build exited while starting on an empty database (log above)"
fi
if start_colour old "$OLD_APP"; then
    log "both colours ready on one database; the old build's Flyway accepted the newest schema"
elif grep -q 'FlywayValidateException' "$WORK/old.log"; then
    grep -m1 -A1 'FlywayValidateException' "$WORK/old.log" >&2
    FAILURES+=("the old build refuses to start on the newest schema: its Flyway rejects migrations it does not know \
(quarkus.flyway.ignore-future-migrations; QUARKUS_FLYWAY_IGNORE_FUTURE_MIGRATIONS in deploy/turnout-config.yml)")
    log "the old build's Flyway rejects the newest schema: FAIL; starting it again with that check off, to go on"
    start_colour old "$OLD_APP" QUARKUS_FLYWAY_IGNORE_FUTURE_MIGRATIONS=true \
        || { tail -40 "$WORK/old.log" >&2; FAILURES+=("the old build exited while starting (log above)"); finish; }
else
    tail -40 "$WORK/old.log" >&2
    FAILURES+=("the old build exited while starting on the newest schema (log above)")
    finish
fi

log "--- uploads, each colour listing what the other wrote"
upload new linear-v1.onnx
upload old linear-v2.onnx
call old 2xx GET /api/models
call new 2xx GET /api/models
versions_seen old 2
versions_seen new 2

log "--- flips from each colour, predictions on both"
flip old 1
flip new 2
predict old
predict new

log "--- the new colour deactivates; the old colour reads the history and rolls back across the deactivation"
deactivate new 2xx
history old
call old 2xx GET "$api"
rollback old 2xx
active=any; [[ $CODE == 2* ]] && active=2xx # no rollback, no active version: predictions answer 404
predict old "$active"
predict new "$active"
history new

log "--- the new colour flips, rolls back, deactivates and rolls back across its own deactivation"
flip new 1
flip new 2
rollback new 2xx
deactivate new 2xx
rollback new 2xx
predict old
history old
history new

log "--- the old colour deactivates, if it can (a 4xx from an old build without DELETE .../active is an answer)"
deactivate old any
deactivated=any; [[ $CODE == 2* ]] && deactivated=2xx # then the new colour's rollback must bring the version back
history new
history old
rollback new "$deactivated"
predict new
predict old

finish
