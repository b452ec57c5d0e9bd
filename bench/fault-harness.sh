#!/usr/bin/env bash
# Fault harness (issue 9): kill -9 replicas at bad moments and restart PostgreSQL under load, ROUNDS times, and check
# after every fault that nothing was left half done.
#
#   bench/fault-harness.sh                                    # a trial run
#   flock /tmp/turnout-bench.lock bench/fault-harness.sh      # a measurement (never beside other benchmarks)
#   ROUNDS=2 bench/fault-harness.sh                           # a quick look
#
# Part A, external PostgreSQL (Debian's postgresql-15, initdb'd in the work dir, run as the postgres user) and two
# replicas "a" and "b" (own data dirs and ports). Each round:
#   1. upload   kill -9 a while it takes a large-ish ONNX upload (curl --limit-rate): in turn while the bytes arrive,
#               right after they arrived (hashing, trial load), and while its transaction writes the large object;
#   2. flip     kill -9 a 0-600 ms after it was sent a flip (PUT .../active, to the other version);
#   3. load     kill -9 a under prediction load on a and b (hey); b must not fail a single prediction;
#   4. pg       pg_ctl restart -m fast while hey loads b only: b must not fail a single prediction (served from memory).
# a is restarted after each kill. Part B, the embedded database (no QUARKUS_DATASOURCE_JDBC_URL): one replica "c";
# each round kills it mid-upload (phases as above) and restarts it. In every other round its PostgreSQL watchdog is
# killed with it, so the next start finds a postmaster still running on its directory; otherwise the watchdog must
# stop the postmaster by itself.
#
# After every fault: the replica started and answers /q/health/ready (management port); in the registry database
# every model_version has its artifact row, every artifact its large object, no large object lacks an artifact row,
# no model row lacks a version (uploads create the model in the version's transaction); no file in any replica's
# upload spool (<data-dir>/uploads), no *.part in its model cache (<data-dir>/cache); GET /api/models/linear lists
# every live replica serving the active version (polled for up to SERVING_TIMEOUT s). Part B also: the killed
# postmaster is gone after the restart.
#
# Environment (all optional):
#   ROUNDS          rounds of each part (default 20)
#   PARTS           which parts to run (default "A B")
#   APP_DIR         run this packaged server as it is; when not set, SOURCE_APP is copied into the work dir
#   SOURCE_APP      what is copied (default target/quarkus-app of this repo; built with mvnlock/mvnw when missing)
#   UPLOAD_MIB      size of the uploaded model (default 32); UPLOAD_RATE curl --limit-rate (default 16M)
#   STORE_DELAY     seconds between seeing the upload's write transaction and the kill (default 0.1)
#   LOAD_CONC, LOAD_QPS, LOAD_SECONDS   hey workers, requests/s per worker, seconds (defaults 4, 50, 8)
#   HEAP            -Xmx of each replica (default 384m)
#   PG_PORT         the external PostgreSQL on 127.0.0.1 (default 25532)
#   PORTS           API ports of a, b, c (default "18381 18382 18383"); MGMT_PORTS (default "18391 18392 18393")
#   MAX_MINUTES     stop starting rounds after this long; what ran is reported, the verdict is FAIL (default 45)
#   WORK_ROOT       where the temporary work dir goes (default /tmp)
#   KEEP_LOGS=DIR   copy every log to DIR before cleanup
#
# Everything binds to and talks to 127.0.0.1 only. Every wait is bounded. On exit, also on failure or Ctrl-C, every
# process started here is stopped (hey, curl, the replicas, both PostgreSQLs) and the work dir deleted.
# Exit status: 0 when every check passed, 1 when one failed, 2 when the harness itself could not run.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
APP_DIR="${APP_DIR:-}"
SOURCE_APP="${SOURCE_APP:-$REPO/target/quarkus-app}"
ROUNDS="${ROUNDS:-20}"
PARTS="${PARTS:-A B}"
UPLOAD_MIB="${UPLOAD_MIB:-32}"
UPLOAD_RATE="${UPLOAD_RATE:-16M}"
STORE_DELAY="${STORE_DELAY:-0.1}"
LOAD_CONC="${LOAD_CONC:-4}"
LOAD_QPS="${LOAD_QPS:-50}"
LOAD_SECONDS="${LOAD_SECONDS:-8}"
HEAP="${HEAP:-384m}"
PG_PORT="${PG_PORT:-25532}"
read -r -a PORT_LIST <<<"${PORTS:-18381 18382 18383}"
read -r -a MGMT_LIST <<<"${MGMT_PORTS:-18391 18392 18393}"
MAX_MINUTES="${MAX_MINUTES:-45}"
WORK_ROOT="${WORK_ROOT:-/tmp}"
KEEP_LOGS="${KEEP_LOGS:-}"
PG_BIN=/usr/lib/postgresql/15/bin
MODELS="$REPO/src/test/resources/models"
MODEL=linear
INFER_BODY='{"inputs":[{"name":"x","datatype":"FP32","shape":[1,1],"data":[3.0]}]}'
FLIP_DELAYS=(0 0.05 0.15 0.3 0.6)   # s between sending the flip and the kill, in turn
UPLOAD_PHASES=(receiving received storing)

PG_TIMEOUT=60        # s, PostgreSQL start / stop / restart
READY_TIMEOUT=180    # s, replica start until /q/health/ready is 200
SERVING_TIMEOUT=15   # s, every live replica serves the active version
PHASE_TIMEOUT=90     # s, an upload reaches the phase the kill waits for
POSTMASTER_TIMEOUT=40 # s, the watchdog stops a killed JVM's postmaster (it escalates after 30 s)
STOP_TIMEOUT=60      # s, SIGTERM until a replica exits
HTTP_TIMEOUT=10      # s, any single API call

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "HARNESS ERROR: $*"; exit 2; }
ms_now() { date +%s%3N; }

ensure_debian_packages curl jq hey postgresql-15 python3-onnx python3-numpy
for tool in java curl jq hey awk runuser psql; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
for bin in initdb pg_ctl postgres; do
    [[ -x $PG_BIN/$bin ]] || die "$PG_BIN/$bin is missing (apt-get install postgresql-15)"
done
[[ -f $MODELS/linear-v1.onnx && -f $MODELS/linear-v2.onnx ]] || die "the linear-v1/v2.onnx fixtures are missing"
[[ ${#PORT_LIST[@]} -eq 3 && ${#MGMT_LIST[@]} -eq 3 ]] || die "PORTS and MGMT_PORTS must name three ports each"
[[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -ge 1 ]] || die "ROUNDS must be a positive number"
[[ $PARTS =~ ^(A|B|A\ B|B\ A)$ ]] || die "PARTS must be \"A\", \"B\" or \"A B\""
if [[ -z $APP_DIR && ! -f $SOURCE_APP/quarkus-run.jar && $SOURCE_APP == "$REPO/target/quarkus-app" ]]; then
    log "no packaged server in $SOURCE_APP: building it once"
    if command -v mvnlock >/dev/null; then
        (cd "$REPO" && mvnlock -o -B -q package -DskipTests) || die "the build failed"
    else
        (cd "$REPO" && ./mvnw -o -B -q package -DskipTests) || die "the build failed"
    fi
fi
[[ -n $APP_DIR || -f $SOURCE_APP/quarkus-run.jar ]] || die "no server at $SOURCE_APP (set SOURCE_APP or APP_DIR)"
[[ -z $APP_DIR || -f $APP_DIR/quarkus-run.jar ]] || die "no server at $APP_DIR"
for port in "$PG_PORT" "${PORT_LIST[@]}" "${MGMT_LIST[@]}"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "something already listens on 127.0.0.1:$port"; fi
done

STARTED_AT="$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
DEADLINE=$((SECONDS + MAX_MINUTES * 60))
WORK="$(mktemp -d "$WORK_ROOT/fault-harness.XXXXXX")"
chmod 711 "$WORK" # the postgres user must reach its data dir inside
PGDATA="$WORK/pg"
APP_COPIED=""
PG_STARTED=""
declare -A PID=() PORT=() MGMT=() DATA=() STARTS=() EXTERNAL=()
NAMES=(a b c)
for i in 0 1 2; do
    PORT[${NAMES[$i]}]=${PORT_LIST[$i]}; MGMT[${NAMES[$i]}]=${MGMT_LIST[$i]}; DATA[${NAMES[$i]}]="$WORK/data-${NAMES[$i]}"
    STARTS[${NAMES[$i]}]=0; PID[${NAMES[$i]}]=""
done
BACKGROUND=()       # hey and curl processes of the round in progress
ORPHANS=()          # postmasters whose watchdog the harness killed (stopped at cleanup if still running)

postmaster_of() { head -1 "$1/postmaster.pid" 2>/dev/null || true; } # data dir -> pid in its postmaster.pid

# A pid that is still a postgres server on a directory of this run (so a reused pid is never signalled).
ours() { [[ $1 =~ ^[0-9]+$ ]] && { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -q -- "$WORK/"; }

cleanup() {
    local rc=$?
    set +e
    trap - INT TERM
    local pid name
    for pid in "${BACKGROUND[@]}"; do stop_pid "$pid" "background job" TERM 5; done
    for name in "${NAMES[@]}"; do [[ -n ${PID[$name]} ]] && kill -TERM "${PID[$name]}" 2>/dev/null; done
    for name in "${NAMES[@]}"; do stop_pid "${PID[$name]}" "replica $name" TERM "$STOP_TIMEOUT"; done
    for pid in "${ORPHANS[@]}" "$(postmaster_of "${DATA[c]}/postgres")"; do
        if ours "$pid" && kill -0 "$pid" 2>/dev/null; then
            log "stopping the embedded PostgreSQL left running (pid $pid)"
            stop_pid "$pid" "embedded PostgreSQL" INT 20
        fi
    done
    if [[ -n $PG_STARTED ]]; then
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t "$PG_TIMEOUT" stop >/dev/null 2>&1
        pid="$(postmaster_of "$PGDATA")"
        if ours "$pid" && kill -0 "$pid" 2>/dev/null; then log "PostgreSQL (pid $pid) did not stop: SIGKILL"; kill -KILL "$pid"; fi
    fi
    if [[ -n $KEEP_LOGS ]]; then
        mkdir -p "$KEEP_LOGS"
        cp "$WORK"/*.log "$WORK"/*.out "$WORK"/*.json "$KEEP_LOGS"/ 2>/dev/null
        log "logs kept in $KEEP_LOGS"
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

prepare_server_copy
make_run_token

# ------------------------------------------------------------------------------------------------------------------
# Results: rounds passed/failed per fault, failures per check, and notes per fault
# ------------------------------------------------------------------------------------------------------------------
FAULTS=(A-upload A-flip A-load A-pg B-upload)
declare -A PASSED=() FAILED=() CHECK_FAILS=() NOTE=()
for f in "${FAULTS[@]}"; do PASSED[$f]=0; FAILED[$f]=0; done
CHECKS=(started ready version_without_artifact artifact_without_lo orphan_lo model_without_version spool_files
    part_files serving_active survivor_predictions postmaster_gone)
for c in "${CHECKS[@]}"; do CHECK_FAILS[$c]=0; done
count() { NOTE[$1]=$(( ${NOTE[$1]:-0} + ${2:-1} )); } # a named counter
RESTART_MS=()        # kill -> ready of every restart
ROUND_FAILED=""      # set by fail() during a round
fail() { # check message
    CHECK_FAILS[$1]=$(( ${CHECK_FAILS[$1]} + 1 )); ROUND_FAILED=1
    log "CHECK FAILED [$1]: $2"
}
end_round() { # fault
    if [[ -n $ROUND_FAILED ]]; then FAILED[$1]=$(( ${FAILED[$1]} + 1 )); else PASSED[$1]=$(( ${PASSED[$1]} + 1 )); fi
    ROUND_FAILED=""
}

# ------------------------------------------------------------------------------------------------------------------
# Replicas
# ------------------------------------------------------------------------------------------------------------------
start_replica() { # name external(1/0)
    local name=$1
    EXTERNAL[$name]=$2
    STARTS[$name]=$(( ${STARTS[$name]} + 1 ))
    mkdir -p "${DATA[$name]}"
    local out="$WORK/$name-${STARTS[$name]}.log"
    local env=(env -u QUARKUS_DATASOURCE_JDBC_URL -u QUARKUS_DATASOURCE_USERNAME -u QUARKUS_DATASOURCE_PASSWORD)
    if [[ $2 == 1 ]]; then
        env+=("QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/postgres"
            QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD=unused)
    fi
    (cd "$WORK" && exec "${env[@]}" java "-Xmx$HEAP" \
        -Dquarkus.http.host=127.0.0.1 "-Dquarkus.http.port=${PORT[$name]}" \
        -Dquarkus.management.host=127.0.0.1 "-Dquarkus.management.port=${MGMT[$name]}" \
        "-Dquarkus.datasource.jdbc.additional-jdbc-properties.ApplicationName=turnout-$name" \
        "-Dturnout.security.tokens.bench.sha256=$TOKEN_SHA" -Dturnout.security.tokens.bench.roles=publisher,operator,viewer \
        "-Dturnout.data-dir=${DATA[$name]}" "-Dturnout.rollout.replica-id=$name" \
        -jar "$APP_DIR/quarkus-run.jar") >"$out" 2>&1 </dev/null &
    PID[$name]=$!
    log "started $name (pid ${PID[$name]}, start ${STARTS[$name]}, $([[ $2 == 1 ]] && echo "PostgreSQL 127.0.0.1:$PG_PORT" || echo "embedded PostgreSQL"))"
}
replica_log() { echo "$WORK/$1-${STARTS[$1]}.log"; }

ready_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:${MGMT[$1]}/q/health/ready" || true; }

wait_ready() { # name -> 0 when ready, 1 when it exited or timed out (the log's tail is printed)
    local name=$1 deadline=$((SECONDS + READY_TIMEOUT))
    until [[ $(ready_code "$name") == 200 ]]; do
        if ! kill -0 "${PID[$name]}" 2>/dev/null; then
            local rc=0
            wait "${PID[$name]}" 2>/dev/null || rc=$?
            log "$name exited while starting (status $rc); the end of its log:"; tail -30 "$(replica_log "$name")" >&2
            PID[$name]=""
            return 1
        fi
        if ((SECONDS >= deadline)); then
            log "$name not ready after ${READY_TIMEOUT}s; the end of its log:"; tail -30 "$(replica_log "$name")" >&2
            return 1
        fi
        sleep 0.2
    done
}

kill9() { # name: SIGKILL and reap
    local name=$1
    kill -KILL "${PID[$name]}" 2>/dev/null || true
    wait "${PID[$name]}" 2>/dev/null || true
    PID[$name]=""
}

restart() { # name, killed at ms -> starts it again; the "started" and "ready" checks
    local name=$1 killed_at=$2
    start_replica "$name" "${EXTERNAL[$name]}"
    if wait_ready "$name"; then
        RESTART_MS+=($(($(ms_now) - killed_at)))
        return 0
    fi
    if [[ -z ${PID[$name]} ]]; then fail started "$name did not start after the kill"; else fail ready "$name not ready"; fi
    return 1
}

# ------------------------------------------------------------------------------------------------------------------
# Database and API helpers
# ------------------------------------------------------------------------------------------------------------------
sql() { # port statement -> unaligned rows
    timeout 20 psql -X -q -t -A -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d postgres -c "$2"
}
embedded_port() { # the port the current start of c logged
    sed -n 's/.*started embedded PostgreSQL on port \([0-9]*\).*/\1/p' "$(replica_log c)" | head -1
}
API_STATUS=""
API_BODY=""
api() { # name path [curl args...] -> the answer in API_BODY, its HTTP status in API_STATUS
    local name=$1 path=$2; shift 2
    local answer
    answer="$(curl -s -w '\n%{http_code}' --max-time "$HTTP_TIMEOUT" "${AUTH[@]}" "$@" "http://127.0.0.1:${PORT[$name]}$path" || true)"
    API_STATUS="${answer##*$'\n'}"
    API_BODY="${answer%$'\n'*}"
}
active_version() { sql "$1" "SELECT coalesce(active_version, 0) FROM model WHERE name = '$MODEL'" 2>/dev/null || echo "?"; }

# The transaction of an upload on replica `name` that writes (a row lock or the large object); heartbeats and serving
# rows (replica, replica_model) are not counted.
writing_upload() { # port name -> number of such transactions
    sql "$1" "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'turnout-$2' AND backend_xid IS NOT NULL
        AND query NOT ILIKE '%replica%'" 2>/dev/null || echo 0
}

spool_bytes() { # name -> size of the largest file in its upload spool (0 if none)
    { find "${DATA[$1]}/uploads" -type f -printf '%s\n' 2>/dev/null || true; } | awk '$1 > m { m = $1 } END { print m + 0 }'
}
leftovers() { # name -> "spool files, .part files" in its data dir
    local spool part
    spool="$({ find "${DATA[$1]}/uploads" -type f 2>/dev/null || true; } | wc -l)"
    part="$({ find "${DATA[$1]}/cache" -name '*.part' 2>/dev/null || true; } | wc -l)"
    echo "$spool $part"
}

# hey against one replica, in the background: LOAD_CONC workers at LOAD_QPS each for LOAD_SECONDS (a request count,
# not -z, so no request is cut off by hey's own deadline).
start_load() { # name out -> pid in LOAD_PID
    hey -c "$LOAD_CONC" -q "$LOAD_QPS" -n $((LOAD_CONC * LOAD_QPS * LOAD_SECONDS)) -t 5 -m POST -T application/json \
        -d "$INFER_BODY" "http://127.0.0.1:${PORT[$1]}/v2/models/$MODEL/infer" >"$2" 2>&1 </dev/null &
    LOAD_PID=$!
    BACKGROUND+=("$LOAD_PID")
}
wait_bg() { # pid timeout -> waits, SIGTERM after timeout
    local pid=$1 deadline=$((SECONDS + $2))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && { log "background job $pid overran: stopping it"; kill -TERM "$pid" 2>/dev/null; }
    wait "$pid" 2>/dev/null || true
    local kept=() p
    for p in "${BACKGROUND[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
    BACKGROUND=("${kept[@]}")
}
load_counts() { # hey output -> "sent failed" (failed: any answer but 2xx, and every error hey counted)
    awk '/^Status code distribution:/ { s = 1; e = 0; next } /^Error distribution:/ { e = 1; s = 0; next }
         /^[^ \t]/ { s = 0; e = 0 }
         (s || e) && $1 ~ /^\[[0-9]+\]$/ {
             first = substr($1, 2, length($1) - 2)
             if (s) { sent += $2; if (first !~ /^2/) failed += $2 } else { sent += first; failed += first }
         }
         END { print sent + 0, failed + 0 }' "$1"
}

# ------------------------------------------------------------------------------------------------------------------
# The invariants, after every fault
# ------------------------------------------------------------------------------------------------------------------
check_invariants() { # db-port replica-names...
    local port=$1; shift
    local live=("$@") name spool part
    for name in "${live[@]}"; do
        [[ $(ready_code "$name") == 200 ]] || fail ready "$name: /q/health/ready answered $(ready_code "$name")"
        read -r spool part <<<"$(leftovers "$name")"
        ((spool == 0)) || fail spool_files "$name: $spool file(s) in ${DATA[$name]}/uploads: $(ls "${DATA[$name]}/uploads")"
        ((part == 0)) || fail part_files "$name: $part .part file(s) in ${DATA[$name]}/cache"
    done
    local row
    row="$(sql "$port" "SELECT
        (SELECT count(*) FROM model_version v WHERE NOT EXISTS (SELECT 1 FROM artifact a WHERE a.sha256 = v.sha256)),
        (SELECT count(*) FROM artifact a WHERE NOT EXISTS (SELECT 1 FROM pg_largeobject_metadata m WHERE m.oid = a.blob_oid)
            AND NOT EXISTS (SELECT 1 FROM blob_chunked c WHERE c.key = a.storage_key)),
        (SELECT count(*) FROM pg_largeobject_metadata m WHERE NOT EXISTS (SELECT 1 FROM artifact a WHERE a.blob_oid = m.oid))
          + (SELECT count(*) FROM blob_chunked c WHERE c.key IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM artifact a WHERE a.storage_key = c.key)),
        (SELECT count(*) FROM model m WHERE NOT EXISTS (SELECT 1 FROM model_version v WHERE v.model_id = m.id))" 2>&1)" \
        || { fail version_without_artifact "the registry query failed: $row"; return; }
    local no_artifact no_lo orphan no_version
    IFS='|' read -r no_artifact no_lo orphan no_version <<<"$row"
    ((no_artifact == 0)) || fail version_without_artifact "$no_artifact model_version row(s) without their artifact row"
    ((no_lo == 0)) || fail artifact_without_lo "$no_lo artifact row(s) whose blob (large object or chunks) is missing"
    # (a chunked blob without a key is one written while its upload arrived that the kill left unnamed: it was never
    # referenced, and the sweep deletes it once it is older than turnout.artifacts.sweep.grace, as it does any store's
    # unreferenced blob; not counted here)
    ((orphan == 0)) || fail orphan_lo "$orphan blob(s) (large objects or chunked) no artifact row references"
    ((no_version == 0)) || fail model_without_version "$no_version model row(s) without any version"
    # Every live replica serves the active version (each replica's view, as GET /api/models/{name} shows it).
    local deadline=$((SECONDS + SERVING_TIMEOUT)) body="" want
    want="$(printf '%s\n' "${live[@]}" | sort | paste -sd, -)"
    while :; do
        api "${live[0]}" "/api/models/$MODEL"; body=$API_BODY
        if [[ $API_STATUS == 200 ]] && jq -e --arg want "$want" '. as $m
            | ([.replicas[].replica] | sort | join(",")) == $want
            and all(.replicas[]; .serving == $m.active_version and .state == "SERVING")' <<<"$body" >/dev/null 2>&1; then
            return 0
        fi
        ((SECONDS < deadline)) || break
        sleep 0.3
    done
    fail serving_active "not every live replica (${want}) serves the active version after ${SERVING_TIMEOUT}s: HTTP $API_STATUS $(jq -c '{active_version, replicas: [.replicas[]? | {replica, serving, target, state, error}]}' <<<"$body" 2>/dev/null || head -c 300 <<<"$body")"
}

# ------------------------------------------------------------------------------------------------------------------
# Uploads: a model of UPLOAD_MIB MiB; each round's copy differs in its last 8 bytes (weights that are never read), so
# every upload is new bytes and writes a new large object.
# ------------------------------------------------------------------------------------------------------------------
BASE_MODEL="$WORK/base.onnx"
/usr/bin/python3 "$HERE/make_large_onnx.py" "$BASE_MODEL" "$UPLOAD_MIB" >"$WORK/make-model.log" 2>&1 \
    || { cat "$WORK/make-model.log" >&2; die "make_large_onnx.py failed"; }
UPLOAD_SIZE="$(stat -c %s "$BASE_MODEL")"
variant() { # mark -> path of a copy with its own digest
    local out="$WORK/upload.onnx"
    cp "$BASE_MODEL" "$out"
    printf '%08d' "$1" | dd of="$out" bs=1 seek=$((UPLOAD_SIZE - 8)) conv=notrunc status=none
    echo "$out"
}

# Upload to `name` and kill -9 it at the phase asked for: "receiving" (the spool file is half there), "received" (it
# is all there: hashing and the trial load), "storing" (STORE_DELAY after the upload's write transaction appeared, and
# it is still open). Sets KILL_PHASE to where the kill landed: those three, "committed" (the transaction had ended when
# it was looked at again) or "completed" (the answer came first); UPLOAD_CODE and KILLED_AT (ms). A sixth argument is a pid SIGKILLed just before the replica (its PostgreSQL watchdog).
upload_and_kill() { # name db-port phase model-name mark [pid]
    local name=$1 port=$2 phase=$3 model=$4 also=${6:-} file
    file="$(variant "$5")"
    curl -s -o "$WORK/upload-answer.json" -w '%{http_code}' --max-time 120 --limit-rate "$UPLOAD_RATE" "${AUTH[@]}" \
        -H 'Expect:' -F "artifact=@$file" "http://127.0.0.1:${PORT[$name]}/api/models/$model/versions" >"$WORK/upload-code.out" 2>&1 &
    local curl_pid=$!
    BACKGROUND+=("$curl_pid")
    local deadline=$((SECONDS + PHASE_TIMEOUT)) spooled landed=""
    while [[ -z $landed ]]; do
        if ! kill -0 "$curl_pid" 2>/dev/null; then landed=completed; break; fi
        ((SECONDS < deadline)) || { landed=timeout; break; }
        spooled="$(spool_bytes "$name")"
        case $phase in
            receiving) ((spooled * 2 >= UPLOAD_SIZE)) && landed=receiving ;;
            received) ((spooled >= UPLOAD_SIZE)) && landed=received ;;
            storing) if (($(writing_upload "$port" "$name") > 0)); then
                         sleep "$STORE_DELAY"
                         if (($(writing_upload "$port" "$name") > 0)); then landed=storing; else landed=committed; fi
                     fi ;;
        esac
        [[ -n $landed ]] || sleep 0.02
    done
    # Where it really was when the kill came: the answer may have come meanwhile, the spool may have filled.
    if [[ $landed == receiving ]] && (($(spool_bytes "$name") >= UPLOAD_SIZE)); then landed=received; fi
    if [[ $landed != completed ]] && ! kill -0 "$curl_pid" 2>/dev/null; then landed=completed; fi
    KILLED_AT=$(ms_now)
    [[ -z $also ]] || kill -KILL "$also" 2>/dev/null || true
    kill9 "$name"
    wait_bg "$curl_pid" 130
    UPLOAD_CODE="$(cat "$WORK/upload-code.out" 2>/dev/null || echo '?')"
    KILL_PHASE=$landed
    [[ $landed != completed || $UPLOAD_CODE == 201 ]] \
        || log "the upload answered $UPLOAD_CODE before the kill: $(head -c 300 "$WORK/upload-answer.json" 2>/dev/null)"
}

setup_linear() { # name: versions 1 and 2 of linear, 1 active (waits for every live replica)
    local v body
    for v in 1 2; do
        api "$1" "/api/models/$MODEL/versions" -F "artifact=@$MODELS/linear-v$v.onnx"; body=$API_BODY
        [[ $API_STATUS == 201 ]] || die "upload of linear-v$v.onnx to $1 answered $API_STATUS: $body"
    done
    api "$1" "/api/models/$MODEL/active?wait=30s" -X PUT -H 'Content-Type: application/json' \
        -d '{"version":1,"reason":"fault harness: initial"}'
    body=$API_BODY
    [[ $API_STATUS == 200 ]] || die "activating version 1 answered $API_STATUS: $body"
}

# Right after a database restart (pg_ctl has returned; predictions still run): how soon b's management API answers
# again (GET /api/models/linear, every 0.1 s), and
# how many answers were not 200 before that (not a check: the README says management calls may fail while it is down).
api_recovery() { # name
    local t0 bad=0 first="" deadline=$((SECONDS + SERVING_TIMEOUT))
    t0=$(ms_now)
    while api "$1" "/api/models/$MODEL"; [[ $API_STATUS != 200 ]]; do
        bad=$((bad + 1))
        [[ -n $first ]] || first="$API_STATUS $(head -c 200 <<<"$API_BODY")"
        ((SECONDS < deadline)) || break
        sleep 0.1
    done
    count A-pg:api-not-200 "$bad"
    API_RECOVERY_MS+=($(($(ms_now) - t0)))
    ((bad == 0)) || log "$1's management API answered $bad time(s) with other than 200 (the first: $first)"
}
API_RECOVERY_MS=()

out_of_time() { ((SECONDS >= DEADLINE)); }
ROUNDS_RUN_A=0
ROUNDS_RUN_B=0
TIMED_OUT=""

# ------------------------------------------------------------------------------------------------------------------
# Part A: external PostgreSQL, replicas a and b
# ------------------------------------------------------------------------------------------------------------------
part_a() {
    start_bench_postgres -c max_connections=100
    start_replica a 1
    start_replica b 1
    wait_ready a || die "a did not start"
    wait_ready b || die "b did not start"
    setup_linear a
    log "A: replicas a and b ready, linear version 1 active"

    local r phase delay target before after sent failed t0 pg_ms spool part
    for ((r = 1; r <= ROUNDS; r++)); do
        if out_of_time; then TIMED_OUT="A round $r"; return; fi
        log "===== A round $r of $ROUNDS ====="

        # 1. kill -9 a mid-upload
        phase=${UPLOAD_PHASES[$(((r - 1) % 3))]}
        upload_and_kill a "$PG_PORT" "$phase" "upload-$r" "$r"
        count "A-upload:$KILL_PHASE"
        read -r spool part <<<"$(leftovers a)"
        ((spool == 0)) || count "A-upload:spool-left" "$spool"
        log "A$r upload: asked $phase, killed while $KILL_PHASE (answer ${UPLOAD_CODE}); left in the spool: $spool"
        [[ $KILL_PHASE != timeout ]] || fail started "the upload never reached '$phase' in ${PHASE_TIMEOUT}s"
        restart a "$KILLED_AT" && check_invariants "$PG_PORT" a b
        end_round A-upload

        # 2. kill -9 a right after a flip was sent to it
        before="$(active_version "$PG_PORT")"
        target=$((before == 1 ? 2 : 1))
        delay=${FLIP_DELAYS[$(((r - 1) % ${#FLIP_DELAYS[@]}))]}
        curl -s -o /dev/null --max-time 40 "${AUTH[@]}" -X PUT -H 'Content-Type: application/json' \
            -d "{\"version\":$target,\"reason\":\"fault harness round $r\"}" \
            "http://127.0.0.1:${PORT[a]}/api/models/$MODEL/active?wait=30s" &
        local flip_pid=$!
        BACKGROUND+=("$flip_pid")
        sleep "$delay"
        KILLED_AT=$(ms_now)
        kill9 a
        wait_bg "$flip_pid" 45
        after="$(active_version "$PG_PORT")"
        if [[ $after == "$target" ]]; then count A-flip:committed; else count A-flip:not-committed; fi
        log "A$r flip $before -> $target, killed after ${delay}s: active is now $after"
        restart a "$KILLED_AT" && check_invariants "$PG_PORT" a b
        end_round A-flip

        # 3. kill -9 a under prediction load on a and b
        start_load a "$WORK/load-a.out"; local load_a=$LOAD_PID
        start_load b "$WORK/load-b.out"; local load_b=$LOAD_PID
        sleep 2
        KILLED_AT=$(ms_now)
        kill9 a
        wait_bg "$load_b" $((LOAD_SECONDS + 30))
        wait_bg "$load_a" $((LOAD_SECONDS + 30))
        read -r sent failed <<<"$(load_counts "$WORK/load-b.out")"
        count A-load:b-sent "$sent"; count A-load:b-failed "$failed"
        ((sent > 0 && failed == 0)) || fail survivor_predictions "b, while a was killed: $failed of $sent predictions failed: $(sed -n '/Status code/,$p' "$WORK/load-b.out" | head -8 | tr '\n' ' ')"
        read -r sent failed <<<"$(load_counts "$WORK/load-a.out")"
        count A-load:a-sent "$sent"; count A-load:a-failed "$failed"
        log "A$r load: b $(load_counts "$WORK/load-b.out") (sent failed); a, killed: $sent $failed"
        restart a "$KILLED_AT" && check_invariants "$PG_PORT" a b
        end_round A-load

        # 4. restart PostgreSQL while b serves predictions
        start_load b "$WORK/load-b.out"; load_b=$LOAD_PID
        sleep 2
        t0=$(ms_now)
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$WORK/postgres.log" -m fast -w -t "$PG_TIMEOUT" \
            restart >/dev/null || { tail -20 "$WORK/postgres.log" >&2; die "PostgreSQL did not restart"; }
        pg_ms=$(($(ms_now) - t0))
        PG_RESTART_MS+=("$pg_ms")
        api_recovery b
        wait_bg "$load_b" $((LOAD_SECONDS + 30))
        read -r sent failed <<<"$(load_counts "$WORK/load-b.out")"
        count A-pg:b-sent "$sent"; count A-pg:b-failed "$failed"
        log "A$r PostgreSQL restart: ${pg_ms} ms; predictions on b: $sent sent, $failed failed"
        ((sent > 0 && failed == 0)) || fail survivor_predictions "b, during the PostgreSQL restart: $failed of $sent predictions failed: $(sed -n '/Status code/,$p' "$WORK/load-b.out" | head -8 | tr '\n' ' ')"
        [[ -n ${PID[a]} ]] && kill -0 "${PID[a]}" 2>/dev/null || fail started "a is gone after the PostgreSQL restart"
        [[ -n ${PID[b]} ]] && kill -0 "${PID[b]}" 2>/dev/null || fail started "b is gone after the PostgreSQL restart"
        check_invariants "$PG_PORT" a b
        end_round A-pg
        ROUNDS_RUN_A=$r
    done
    stop_pid "${PID[a]}" "replica a" TERM "$STOP_TIMEOUT"; PID[a]=""
    stop_pid "${PID[b]}" "replica b" TERM "$STOP_TIMEOUT"; PID[b]=""
    count A-errors "$(cat "$WORK"/a-*.log "$WORK"/b-*.log | grep -c ' ERROR ' || true)"
}
PG_RESTART_MS=()

# ------------------------------------------------------------------------------------------------------------------
# Part B: embedded PostgreSQL, replica c
# ------------------------------------------------------------------------------------------------------------------
watchdog_of() { # jvm pid -> pid of its PostgreSQL watchdog shell
    { ps -o pid=,args= --ppid "$1" 2>/dev/null || true; } | awk '/turnout-postgres-watchdog/ { print $1; exit }'
}

part_b() {
    log "B: embedded PostgreSQL, replica c"
    start_replica c 0
    wait_ready c || die "c did not start"
    setup_linear c
    log "B: c ready (embedded PostgreSQL on port $(embedded_port)), linear version 1 active"

    local r phase port postmaster watchdog t0 gone spool part
    for ((r = 1; r <= ROUNDS; r++)); do
        if out_of_time; then TIMED_OUT="B round $r"; return; fi
        log "===== B round $r of $ROUNDS ====="
        port="$(embedded_port)"
        postmaster="$(postmaster_of "${DATA[c]}/postgres")"
        watchdog="$(watchdog_of "${PID[c]}")"
        [[ -n $watchdog ]] || log "B$r: no watchdog process found under c (pid ${PID[c]})"
        phase=${UPLOAD_PHASES[$(((r - 1) % 3))]}
        # Even rounds: the watchdog dies with the JVM (as when the whole container is killed), so the next start must
        # deal with the postmaster left running. It is killed the moment the kill phase is reached, just before the JVM.
        if ((r % 2 == 0)) && [[ -n $watchdog ]]; then
            ORPHANS+=("$postmaster")
            WATCHDOG_VICTIM=$watchdog
        else
            WATCHDOG_VICTIM=""
        fi
        upload_and_kill c "$port" "$phase" "upload-$r" "$((10000 + r))" "$WATCHDOG_VICTIM"
        count "B-upload:$KILL_PHASE"
        read -r spool part <<<"$(leftovers c)"
        ((spool == 0)) || count "B-upload:spool-left" "$spool"
        [[ $KILL_PHASE != timeout ]] || fail started "the upload never reached '$phase' in ${PHASE_TIMEOUT}s"
        if [[ -n $WATCHDOG_VICTIM ]]; then
            if kill -0 "$postmaster" 2>/dev/null; then count B-upload:orphan-postmaster; fi
        else
            t0=$(ms_now); gone=""
            while ((SECONDS < DEADLINE)) && (($(ms_now) - t0 < POSTMASTER_TIMEOUT * 1000)); do
                kill -0 "$postmaster" 2>/dev/null || { gone=1; break; }
                sleep 0.1
            done
            if [[ -n $gone ]]; then
                count B-upload:watchdog-stopped; WATCHDOG_MS+=($(($(ms_now) - KILLED_AT)))
            else
                count B-upload:watchdog-missed
                log "B$r: the postmaster (pid $postmaster) still runs ${POSTMASTER_TIMEOUT}s after its JVM was killed"
            fi
        fi
        log "B$r upload: asked $phase, killed while $KILL_PHASE (answer $UPLOAD_CODE)$([[ -n $WATCHDOG_VICTIM ]] && echo ", watchdog killed too"); left in the spool: $spool"
        if restart c "$KILLED_AT"; then
            if grep -q 'left by a process that died without stopping it' "$(replica_log c)"; then count B-upload:leftover-stopped-at-start; fi
            kill -0 "$postmaster" 2>/dev/null && fail postmaster_gone "the killed JVM's postmaster (pid $postmaster) still runs after the restart"
            check_invariants "$(embedded_port)" c
        fi
        end_round B-upload
        ROUNDS_RUN_B=$r
        [[ -n ${PID[c]} ]] || { log "B: c is down; no further rounds"; return; }
    done
    stop_pid "${PID[c]}" "replica c" TERM "$STOP_TIMEOUT"; PID[c]=""
    count B-errors "$(cat "$WORK"/c-*.log | grep -c ' ERROR ' || true)"
}
WATCHDOG_MS=()
WATCHDOG_VICTIM=""

# ------------------------------------------------------------------------------------------------------------------
# Run, then report
# ------------------------------------------------------------------------------------------------------------------
log "work dir $WORK; server $APP_DIR (app jar sha256 $APP_SHA); $ROUNDS rounds of part(s) $PARTS; upload ${UPLOAD_SIZE} bytes at $UPLOAD_RATE/s"
RUN_T0=$SECONDS
for part in $PARTS; do
    case $part in
        A) part_a ;;
        B) part_b ;;
    esac
    [[ -z $TIMED_OUT ]] || { log "MAX_MINUTES=$MAX_MINUTES reached before $TIMED_OUT"; break; }
done
RUN_SECONDS=$((SECONDS - RUN_T0))

stats() { # numbers... -> "p50 X, max Y (n=N)" in seconds
    (($# > 0)) || { echo "none"; return; }
    printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "p50 %.1f s, max %.1f s (n=%d)", v[int((NR + 1) / 2)] / 1000, v[NR] / 1000, NR }'
}
n() { echo "${NOTE[$1]:-0}"; }

TOTAL_FAILED=0
for f in "${FAULTS[@]}"; do TOTAL_FAILED=$((TOTAL_FAILED + ${FAILED[$f]})); done
VERDICT=PASS
{ ((TOTAL_FAILED > 0)) || [[ -n $TIMED_OUT ]]; } && VERDICT=FAIL

row() { printf '%-40s %6s %6s %6s   %s\n' "$@"; }
echo
echo "================ Fault harness: results ================"
echo "started      $STARTED_AT, ran ${RUN_SECONDS}s (load average before: $LOAD_BEFORE, at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
echo "machine      $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo "server       ${APP_COPIED:-$APP_DIR} (app jar sha256 $APP_SHA), -Xmx$HEAP each"
echo "rounds       $ROUNDS asked; part A ran $ROUNDS_RUN_A, part B ran $ROUNDS_RUN_B${TIMED_OUT:+ (MAX_MINUTES reached before $TIMED_OUT)}"
echo "upload       $UPLOAD_SIZE bytes of ONNX, curl --limit-rate $UPLOAD_RATE; load: hey $LOAD_CONC workers x $LOAD_QPS req/s, ${LOAD_SECONDS}s"
echo
row "fault" "rounds" "passed" "failed" "notes"
if [[ $PARTS == *A* ]]; then
    row "A1 kill -9 a mid-upload" $((${PASSED[A-upload]} + ${FAILED[A-upload]})) "${PASSED[A-upload]}" "${FAILED[A-upload]}" \
        "killed while receiving $(n A-upload:receiving), received $(n A-upload:received), storing $(n A-upload:storing), after commit $(n A-upload:committed), after the answer $(n A-upload:completed); spool files left by the kills $(n A-upload:spool-left)"
    row "A2 kill -9 a after a flip" $((${PASSED[A-flip]} + ${FAILED[A-flip]})) "${PASSED[A-flip]}" "${FAILED[A-flip]}" \
        "flip committed before the kill $(n A-flip:committed), not $(n A-flip:not-committed)"
    row "A3 kill -9 a under load" $((${PASSED[A-load]} + ${FAILED[A-load]})) "${PASSED[A-load]}" "${FAILED[A-load]}" \
        "predictions on b: $(n A-load:b-sent) sent, $(n A-load:b-failed) failed; on a (killed): $(n A-load:a-sent) sent, $(n A-load:a-failed) failed"
    row "A4 PostgreSQL restart (pg_ctl -m fast)" $((${PASSED[A-pg]} + ${FAILED[A-pg]})) "${PASSED[A-pg]}" "${FAILED[A-pg]}" \
        "predictions on b: $(n A-pg:b-sent) sent, $(n A-pg:b-failed) failed; restart took $(stats "${PG_RESTART_MS[@]}")"
    row "" "" "" "" "b's GET /api/models/$MODEL once pg_ctl returned: not 200 $(n A-pg:api-not-200) times; 200 after $(stats "${API_RECOVERY_MS[@]}")"
fi
if [[ $PARTS == *B* ]]; then
    row "B1 kill -9 c (embedded) mid-upload" $((${PASSED[B-upload]} + ${FAILED[B-upload]})) "${PASSED[B-upload]}" "${FAILED[B-upload]}" \
        "killed while receiving $(n B-upload:receiving), received $(n B-upload:received), storing $(n B-upload:storing), after commit $(n B-upload:committed), after the answer $(n B-upload:completed); spool files left $(n B-upload:spool-left)"
    row "" "" "" "" "JVM only: watchdog stopped the postmaster $(n B-upload:watchdog-stopped) times ($(stats "${WATCHDOG_MS[@]}") after the kill), missed $(n B-upload:watchdog-missed)"
    row "" "" "" "" "JVM + watchdog: postmaster left running $(n B-upload:orphan-postmaster) times, stopped by the next start $(n B-upload:leftover-stopped-at-start)"
fi
echo
echo "checks failed (all rounds):"
for c in "${CHECKS[@]}"; do printf '  %-26s %s\n' "$c" "${CHECK_FAILS[$c]}"; done
echo "restarts     kill -9 -> ready: $(stats "${RESTART_MS[@]}")"
echo "ERROR lines  in the replicas' logs: part A $(n A-errors), part B $(n B-errors)"
echo
echo "verdict      $VERDICT"
echo "========================================================="
[[ $VERDICT == PASS ]] || exit 1
