#!/usr/bin/env bash
# Rollout under load (issue 4): one PostgreSQL, three Turnout replicas, HAProxy in front of them health-checking
# /q/health/ready on each replica's management port (a stand-in for a Kubernetes Service). Under continuous wrk load through HAProxy it flips the active
# version of "linear" between 1 and 2 (FLIPS times, each with ?wait=30s, sent to the replicas in turn), then restarts
# one replica (SIGTERM, exit, start, ready), and reports: requests, non-2xx, version/value mismatches, flips and their
# statuses, convergence time p50/p95/max, and every ERROR line the replicas logged.
#
#   bench/rollout-harness.sh                                              # a trial run
#   flock /tmp/turnout-bench.lock bench/rollout-harness.sh                # a measurement (never beside other benchmarks)
#
# The replicas run as packaged (prod profile): health on their management ports, and every /api call (uploads, flips,
# the history and state reads) carries a bearer token generated for this run; the replicas get only its SHA-256.
# Predictions need no token.
#
# Environment (all optional):
#   APP_DIR         run this packaged server as it is (copied from SOURCE_APP first if it does not exist); when not set,
#                   SOURCE_APP is copied into the work dir for this run only, so a rebuild during the run cannot change it
#   SOURCE_APP      what is copied (default target/quarkus-app of this repo: ./mvnw package)
#   FLIPS           flips between versions 1 and 2 (default 60)
#   FLIP_PAUSE      seconds between flips (default 0.2)
#   CONNECTIONS     wrk connections (default 16); THREADS wrk threads (default 2)
#   SETTLE          seconds of load before the first flip, and after the restarted replica is back (default 5)
#   RESTART         which replica to restart, 1..3 (default 2)
#   HEAP            -Xmx of each replica (default 512m)
#   PG_PORT, LB_PORT, STATS_PORT, REPLICA_PORTS   ports on 127.0.0.1 (defaults 25432, 18280, 18289, "18281 18282 18283")
#   MGMT_PORTS      the replicas' management ports, health (default "18291 18292 18293")
#   WORK_ROOT       where the temporary work dir goes (default /tmp)
#   PG_LOG_STATEMENT  PostgreSQL's log_statement (default mod; "all" also logs the waiting flips' polls)
#   KEEP_LOGS=DIR   copy the replica, HAProxy, PostgreSQL and wrk logs and the flip table to DIR before cleanup
#
# Everything binds to and talks to 127.0.0.1 only. Every wait is bounded. On exit, also on failure or Ctrl-C,
# everything started here is stopped (wrk, HAProxy, the replicas, PostgreSQL) and the work dir deleted.
# Exit status: 0 when every check passed, 1 when one failed, 2 when the harness itself could not run.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
APP_DIR="${APP_DIR:-}"
SOURCE_APP="${SOURCE_APP:-$REPO/target/quarkus-app}"
FLIPS="${FLIPS:-60}"
FLIP_PAUSE="${FLIP_PAUSE:-0.2}"
CONNECTIONS="${CONNECTIONS:-16}"
THREADS="${THREADS:-2}"
SETTLE="${SETTLE:-5}"
RESTART="${RESTART:-2}"
HEAP="${HEAP:-512m}"
PG_PORT="${PG_PORT:-25432}"
LB_PORT="${LB_PORT:-18280}"
STATS_PORT="${STATS_PORT:-18289}"
read -r -a PORTS <<<"${REPLICA_PORTS:-18281 18282 18283}"
read -r -a MGMT_PORTS <<<"${MGMT_PORTS:-18291 18292 18293}"
WORK_ROOT="${WORK_ROOT:-/tmp}"
KEEP_LOGS="${KEEP_LOGS:-}"
PG_BIN=/usr/lib/postgresql/15/bin
MODELS="$REPO/src/test/resources/models"
LUA="$HERE/rollout-load.lua"
STALE_AWK="$HERE/rollout-stale-writes.awk"
BREAKDOWN_AWK="$HERE/rollout-breakdown.awk"
MODEL=linear
NAMES=(r1 r2 r3)

PG_TIMEOUT=60        # s, PostgreSQL start / stop
READY_TIMEOUT=180    # s, replica start until /q/health/ready (management port) is 200
LB_TIMEOUT=30        # s, HAProxy sees a replica change state
FLIP_WAIT=30s        # the flip's own ?wait=
FLIP_TIMEOUT=45      # s, curl's limit on one flip (above FLIP_WAIT)
STOP_TIMEOUT=60      # s, SIGTERM until a replica exits (well above quarkus.shutdown.delay + timeout as packaged)
WRK_STOP_TIMEOUT=30  # s, SIGINT until wrk has printed its totals
HTTP_TIMEOUT=10      # s, any other single HTTP call

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "HARNESS ERROR: $*"; exit 2; }
ms_now() { date +%s%3N; }

ensure_debian_packages curl jq haproxy wrk postgresql-15
for tool in java curl jq haproxy wrk awk runuser; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
for bin in initdb pg_ctl postgres; do
    [[ -x $PG_BIN/$bin ]] || die "$PG_BIN/$bin is missing (apt-get install postgresql-15)"
done
for helper in "$LUA" "$STALE_AWK" "$BREAKDOWN_AWK"; do [[ -f $helper ]] || die "$helper is missing"; done
[[ -f $MODELS/linear-v1.onnx && -f $MODELS/linear-v2.onnx ]] || die "the linear-v1/v2.onnx fixtures are missing"
[[ ${#PORTS[@]} -eq 3 ]] || die "REPLICA_PORTS must name three ports"
[[ ${#MGMT_PORTS[@]} -eq 3 ]] || die "MGMT_PORTS must name three ports"
[[ $RESTART =~ ^[123]$ ]] || die "RESTART must be 1, 2 or 3"
[[ $FLIPS =~ ^[0-9]+$ && $FLIPS -ge 1 ]] || die "FLIPS must be a positive number"
if [[ -n $APP_DIR && ! -f $APP_DIR/quarkus-run.jar ]]; then
    [[ -f $SOURCE_APP/quarkus-run.jar ]] || die "no server at $APP_DIR nor at $SOURCE_APP"
    log "copying $SOURCE_APP to $APP_DIR"
    cp -r "$SOURCE_APP" "$APP_DIR"
fi
[[ -n $APP_DIR || -f $SOURCE_APP/quarkus-run.jar ]] \
    || die "no server at $SOURCE_APP (./mvnw package first, or set SOURCE_APP or APP_DIR)"
for port in "$PG_PORT" "$LB_PORT" "$STATS_PORT" "${PORTS[@]}" "${MGMT_PORTS[@]}"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "something already listens on 127.0.0.1:$port"
    fi
done

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
STARTED_AT="$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
WORK="$(mktemp -d "$WORK_ROOT/rollout-harness.XXXXXX")"
chmod 711 "$WORK" # the postgres user must reach its data dir inside
PGDATA="$WORK/pg"
FLIPS_TSV="$WORK/flips.tsv"
WRK_OUT="$WORK/wrk.out"
HAPROXY_LOG="$WORK/haproxy.log"
HAPROXY_CFG="$WORK/haproxy.cfg"
PIDS=("" "" "")
HAPROXY_PID=""
WRK_PID=""
PG_STARTED=""
APP_COPIED=""

cleanup() {
    local rc=$?
    set +e
    trap - INT TERM
    stop_pid "$WRK_PID" wrk INT "$WRK_STOP_TIMEOUT"
    stop_pid "$HAPROXY_PID" haproxy TERM 10
    local i
    for i in 0 1 2; do
        [[ -n ${PIDS[$i]} ]] && kill -TERM "${PIDS[$i]}" 2>/dev/null
    done
    for i in 0 1 2; do
        stop_pid "${PIDS[$i]}" "${NAMES[$i]}" TERM "$STOP_TIMEOUT"
    done
    if [[ -n $PG_STARTED ]]; then
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t "$PG_TIMEOUT" stop >/dev/null 2>&1
        if [[ -f $PGDATA/postmaster.pid ]]; then
            local pgpid
            pgpid="$(head -1 "$PGDATA/postmaster.pid")"
            [[ $pgpid =~ ^[0-9]+$ ]] && kill -0 "$pgpid" 2>/dev/null && {
                log "PostgreSQL (pid $pgpid) did not stop: SIGKILL"
                kill -KILL "$pgpid"
            }
        fi
    fi
    if [[ -n $KEEP_LOGS ]]; then
        mkdir -p "$KEEP_LOGS"
        cp "$WORK"/*.log "$WORK"/*.tsv "$WORK"/*.out "$WORK"/*.cfg "$KEEP_LOGS"/ 2>/dev/null
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
# PostgreSQL
# ------------------------------------------------------------------------------------------------------------------
# max_connections: three pools of up to 32 (quarkus.datasource.jdbc.max-size) + three LISTEN connections = 99, more
# than the default 100 leaves after its 3 reserved slots; 150 keeps connection limits out of this measurement.
# log_statement=mod: every write (the replicas' state rows: heartbeats and serving events, the flips) with its time,
# for finding out why a flip's answer came late. Predictions do not touch the database, so the log stays small.
start_bench_postgres -c max_connections=150 -c log_statement="${PG_LOG_STATEMENT:-mod}" \
    -c "log_line_prefix='%m [%p] '" -c log_timezone=UTC

# ------------------------------------------------------------------------------------------------------------------
# Replicas
# ------------------------------------------------------------------------------------------------------------------
start_replica() { # index
    local i=$1 name=${NAMES[$1]} port=${PORTS[$1]} mgmt=${MGMT_PORTS[$1]}
    mkdir -p "$WORK/data-$name"
    echo "----- start $(date -u '+%Y-%m-%dT%H:%M:%S.%3NZ') -----" >>"$WORK/$name.log"
    QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" \
    QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD=unused \
        java "-Xmx$HEAP" \
            -Dquarkus.http.host=127.0.0.1 "-Dquarkus.http.port=$port" \
            -Dquarkus.management.host=127.0.0.1 "-Dquarkus.management.port=$mgmt" \
            "-Dturnout.security.tokens.bench.sha256=$TOKEN_SHA" -Dturnout.security.tokens.bench.roles=publisher,operator,viewer \
            "-Dturnout.data-dir=$WORK/data-$name" "-Dturnout.rollout.replica-id=$name" \
            -jar "$APP_DIR/quarkus-run.jar" >>"$WORK/$name.log" 2>&1 </dev/null &
    PIDS[$i]=$!
    log "started $name on 127.0.0.1:$port, management 127.0.0.1:$mgmt (pid ${PIDS[$i]})"
}

ready_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/q/health/ready" || true; } # mgmt port

wait_ready() { # index
    local i=$1 deadline=$((SECONDS + READY_TIMEOUT))
    until [[ $(ready_code "${MGMT_PORTS[$i]}") == 200 ]]; do
        kill -0 "${PIDS[$i]}" 2>/dev/null || { tail -40 "$WORK/${NAMES[$i]}.log" >&2; die "${NAMES[$i]} exited while starting"; }
        ((SECONDS < deadline)) || { tail -40 "$WORK/${NAMES[$i]}.log" >&2; die "${NAMES[$i]} not ready after ${READY_TIMEOUT}s"; }
        sleep 0.25
    done
}

serving_on() { # management port -> the version of $MODEL the replica's readiness check says it serves
    curl -s --max-time 2 "http://127.0.0.1:$1/q/health/ready" \
        | jq -r --arg key "serving.$MODEL" '[.checks[]?.data[$key]?] | map(select(. != null)) | first // "none"' 2>/dev/null \
        || echo error
}

for i in 0 1 2; do start_replica "$i"; done
for i in 0 1 2; do wait_ready "$i"; done
log "three replicas ready"

# ------------------------------------------------------------------------------------------------------------------
# HAProxy: health checks on /q/health/ready at each replica's management port, no retries, no redispatch (every failed
# request reaches wrk)
# ------------------------------------------------------------------------------------------------------------------
cat >"$HAPROXY_CFG" <<EOF
global
    log stdout format iso local0 info
    maxconn 2000

defaults
    mode http
    log global
    option httplog
    option dontlog-normal       # log only errors and non-2xx/3xx answers
    option dontlognull          # not wrk's connection probe at start
    option log-health-checks    # and every health-check state change
    retries 0
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-keep-alive 10s

frontend turnout
    bind 127.0.0.1:$LB_PORT
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk GET /q/health/ready
    http-check expect status 200
    default-server inter 500ms fastinter 500ms downinter 500ms fall 1 rise 2
    server r1 127.0.0.1:${PORTS[0]} check port ${MGMT_PORTS[0]}
    server r2 127.0.0.1:${PORTS[1]} check port ${MGMT_PORTS[1]}
    server r3 127.0.0.1:${PORTS[2]} check port ${MGMT_PORTS[2]}

listen stats
    bind 127.0.0.1:$STATS_PORT
    stats enable
    stats uri /stats
EOF
haproxy -c -q -f "$HAPROXY_CFG" || die "HAProxy rejects $HAPROXY_CFG"
haproxy -db -f "$HAPROXY_CFG" >"$HAPROXY_LOG" 2>"$WORK/haproxy-stderr.log" </dev/null &
HAPROXY_PID=$!

lb_status() { # server name -> UP, DOWN, ... as HAProxy's stats say
    curl -s --max-time 2 "http://127.0.0.1:$STATS_PORT/stats;csv" \
        | awk -F, -v s="$1" '$1 == "replicas" && $2 == s { print $18 }' || true
}
lb_requests() { # server name -> requests HAProxy sent it (stot)
    curl -s --max-time 2 "http://127.0.0.1:$STATS_PORT/stats;csv" \
        | awk -F, -v s="$1" '$1 == "replicas" && $2 == s { print $8 }' || true
}
wait_lb() { # server state
    local deadline=$((SECONDS + LB_TIMEOUT))
    until [[ $(lb_status "$1") == "$2"* ]]; do
        ((SECONDS < deadline)) || die "HAProxy does not see $1 $2 after ${LB_TIMEOUT}s (it says '$(lb_status "$1")')"
        sleep 0.1
    done
}

# ------------------------------------------------------------------------------------------------------------------
# Two versions, version 1 active everywhere
# ------------------------------------------------------------------------------------------------------------------
R1="http://127.0.0.1:${PORTS[0]}"
for v in 1 2; do
    code="$(curl -s -o "$WORK/upload-$v.json" -w '%{http_code}' --max-time 60 "${AUTH[@]}" \
        -F "artifact=@$MODELS/linear-v$v.onnx" "$R1/api/models/$MODEL/versions")"
    [[ $code == 201 ]] || die "upload of linear-v$v.onnx answered $code: $(cat "$WORK/upload-$v.json")"
    [[ $(jq -r .version "$WORK/upload-$v.json") == "$v" ]] || die "upload of linear-v$v.onnx is not version $v: $(cat "$WORK/upload-$v.json")"
done
code="$(curl -s -o "$WORK/activate-1.json" -w '%{http_code}' --max-time "$FLIP_TIMEOUT" "${AUTH[@]}" -X PUT \
    -H 'Content-Type: application/json' -d '{"version":1,"reason":"rollout harness: initial"}' \
    "$R1/api/models/$MODEL/active?wait=$FLIP_WAIT")"
[[ $code == 200 ]] || die "activating version 1 answered $code: $(cat "$WORK/activate-1.json")"
for i in 0 1 2; do
    wait_ready "$i"
    [[ $(serving_on "${MGMT_PORTS[$i]}") == 1 ]] || die "${NAMES[$i]} does not serve version 1 after the activation"
    wait_lb "${NAMES[$i]}" UP
done
first="$(curl -s --max-time "$HTTP_TIMEOUT" -H 'Content-Type: application/json' \
    -d '{"inputs":[{"name":"x","datatype":"FP32","shape":[1,1],"data":[3.0]}]}' \
    "http://127.0.0.1:$LB_PORT/v2/models/$MODEL/infer")"
[[ $(jq -r '.outputs[0].data[0]' <<<"$first") == 7* ]] || die "version 1 through HAProxy answered: $first"
log "versions 1 and 2 uploaded, version 1 active on r1, r2, r3; HAProxy sees all three UP"

# ------------------------------------------------------------------------------------------------------------------
# Load
# ------------------------------------------------------------------------------------------------------------------
log "wrk: $THREADS threads, $CONNECTIONS connections, through HAProxy on 127.0.0.1:$LB_PORT"
wrk -t "$THREADS" -c "$CONNECTIONS" -d 3600s --timeout 10s --latency -s "$LUA" \
    "http://127.0.0.1:$LB_PORT/v2/models/$MODEL/infer" >"$WRK_OUT" 2>&1 </dev/null &
WRK_PID=$!
sleep "$SETTLE"
kill -0 "$WRK_PID" 2>/dev/null || { cat "$WRK_OUT" >&2; die "wrk exited early"; }

# ------------------------------------------------------------------------------------------------------------------
# Flips: 1 -> 2 -> 1 ..., each sent to the next replica with ?wait=30s; after each answer every replica's own
# readiness check is asked what it serves, so a 200 that claims convergence too early is caught.
# ------------------------------------------------------------------------------------------------------------------
printf 'flip\tvia\ttarget\tstatus\tms\treplicas_in_answer\tanswer_all_serving\tserving_after(r1,r2,r3)\tsent_at\tdone_at\n' >"$FLIPS_TSV"
FLIP_START_UTC="$(date -u '+%H:%M:%S')"
log "flipping $FLIPS times"
for ((n = 1; n <= FLIPS; n++)); do
    target=$((n % 2 == 1 ? 2 : 1))
    via=$(((n - 1) % 3))
    answer="$WORK/flip-$n.json"
    sent_at="$(date -u '+%H:%M:%S.%3N')"
    result="$(curl -s -o "$answer" -w '%{http_code} %{time_total}' --max-time "$FLIP_TIMEOUT" "${AUTH[@]}" -X PUT \
        -H 'Content-Type: application/json' -d "{\"version\":$target,\"reason\":\"rollout harness flip $n\"}" \
        "http://127.0.0.1:${PORTS[$via]}/api/models/$MODEL/active?wait=$FLIP_WAIT" || true)"
    done_at="$(date -u '+%H:%M:%S.%3N')"
    status="${result%% *}"
    millis="$(awk -v t="${result##* }" 'BEGIN { printf "%.0f", t * 1000 }')"
    in_answer="$(jq -r '.replicas | length' "$answer" 2>/dev/null || echo '?')"
    all_serving="$(jq -r --argjson v "$target" '[.replicas[] | .serving == $v] | all' "$answer" 2>/dev/null || echo '?')"
    after="$(serving_on "${MGMT_PORTS[0]}"),$(serving_on "${MGMT_PORTS[1]}"),$(serving_on "${MGMT_PORTS[2]}")"
    printf '%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "${NAMES[$via]}" "$target" "$status" "$millis" "$in_answer" \
        "$all_serving" "$after" "$sent_at" "$done_at" >>"$FLIPS_TSV"
    if [[ $status != 200 ]]; then
        log "flip $n to version $target via ${NAMES[$via]}: $status after ${millis} ms: $(head -c 600 "$answer" 2>/dev/null)"
    fi
    sleep "$FLIP_PAUSE"
done
FLIP_END_UTC="$(date -u '+%H:%M:%S')"
log "flips done"

# ------------------------------------------------------------------------------------------------------------------
# Restart one replica under load
# ------------------------------------------------------------------------------------------------------------------
ri=$((RESTART - 1))
rname=${NAMES[$ri]}
rpid=${PIDS[$ri]}
final_version="$target"
before_requests="$(lb_requests "$rname")"
log "restart: SIGTERM to $rname (pid $rpid)"
t_term=$(ms_now)
kill -TERM "$rpid"
t_down=""
deadline=$((SECONDS + STOP_TIMEOUT))
while kill -0 "$rpid" 2>/dev/null; do
    if [[ -z $t_down && $(lb_status "$rname") == DOWN* ]]; then t_down=$(ms_now); fi
    ((SECONDS < deadline)) || die "$rname still running ${STOP_TIMEOUT}s after SIGTERM"
    sleep 0.1
done
set +e
wait "$rpid"
exit_code=$?
set -e
t_exit=$(ms_now)
PIDS[$ri]=""
[[ -n $t_down ]] || t_down=$t_exit
log "$rname exited with status $exit_code after $((t_exit - t_term)) ms (HAProxy marked it DOWN after $((t_down - t_term)) ms)"
start_replica "$ri"
wait_ready "$ri"
t_ready=$(ms_now)
wait_lb "$rname" UP
t_up=$(ms_now)
restarted_serving="$(serving_on "${MGMT_PORTS[$ri]}")"
log "$rname ready after $((t_ready - t_exit)) ms, UP in HAProxy after $((t_up - t_exit)) ms, serving version $restarted_serving"
up_requests="$(lb_requests "$rname")"
sleep "$SETTLE"
after_requests="$(lb_requests "$rname")"

# ------------------------------------------------------------------------------------------------------------------
# Stop the load, collect
# ------------------------------------------------------------------------------------------------------------------
kill -INT "$WRK_PID"
deadline=$((SECONDS + WRK_STOP_TIMEOUT))
while kill -0 "$WRK_PID" 2>/dev/null; do
    ((SECONDS < deadline)) || die "wrk did not stop ${WRK_STOP_TIMEOUT}s after SIGINT"
    sleep 0.2
done
wait "$WRK_PID" || true
WRK_PID=""

history_count="$(curl -s --max-time "$HTTP_TIMEOUT" "${AUTH[@]}" "$R1/api/models/$MODEL/activations?limit=1000" | jq 'length' 2>/dev/null || echo '?')"
final_states="$(curl -s --max-time "$HTTP_TIMEOUT" "${AUTH[@]}" "$R1/api/models/$MODEL" \
    | jq -c '[.replicas[] | {replica, serving, target, state}]' 2>/dev/null || echo '?')"

load() { local v; v="$(awk -F= -v k="$1" '$1 == "ROLLOUT-LOAD " k { print $2 }' "$WRK_OUT" | tail -1)"; echo "${v:-?}"; }
num() { local v; v="$(load "$1")"; [[ $v =~ ^[0-9]+$ ]] && echo "$v" || echo 0; }
requests="$(load requests)"
non2xx="$(load non_2xx)"
mismatches="$(load mismatches)"
socket_errors=$(($(num socket_errors_connect) + $(num socket_errors_read) + $(num socket_errors_write) + $(num socket_errors_timeout)))

flips_done="$(awk -F'\t' 'NR > 1' "$FLIPS_TSV" | wc -l)"
statuses="$(awk -F'\t' 'NR > 1 { n[$4]++ } END { for (s in n) { printf "%s%s x %d", sep, s, n[s]; sep = ", " } }' "$FLIPS_TSV")"
not_200="$(awk -F'\t' 'NR > 1 && $4 != 200' "$FLIPS_TSV" | wc -l)"
answer_short="$(awk -F'\t' 'NR > 1 && $4 == 200 && ($6 != 3 || $7 != "true")' "$FLIPS_TSV" | wc -l)"
behind="$(awk -F'\t' 'NR > 1 { split($8, s, ","); if (s[1] != $3 || s[2] != $3 || s[3] != $3) print }' "$FLIPS_TSV" | wc -l)"
percentile() { # p over the ms column of the 200 flips (nearest rank)
    awk -F'\t' 'NR > 1 && $4 == 200 { print $5 }' "$FLIPS_TSV" | sort -n \
        | awk -v p="$1" '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit } r = int((p / 100) * NR + 0.999999); if (r < 1) r = 1; print v[r] }'
}
p50="$(percentile 50)"; p95="$(percentile 95)"; pmax="$(percentile 100)"
mean="$(awk -F'\t' 'NR > 1 && $4 == 200 { s += $5; n++ } END { if (n) printf "%.0f", s / n; else print "-" }' "$FLIPS_TSV")"

# Where each flip's time went, from PostgreSQL's statement log (see rollout-breakdown.awk): PUT -> commit -> the last
# replica's row says it serves the target -> the 200.
BREAKDOWN="$WORK/breakdown.tsv"
awk -f "$BREAKDOWN_AWK" "$FLIPS_TSV" "$WORK/postgres.log" >"$BREAKDOWN"
column_pct() { # column p -> nearest-rank percentile of a numeric column of $BREAKDOWN
    awk -F'\t' -v c="$1" 'NR > 1 && $c ~ /^-?[0-9]+$/ { print $c }' "$BREAKDOWN" | sort -n \
        | awk -v p="$2" '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit } r = int((p / 100) * NR + 0.999999); if (r < 1) r = 1; print v[r] }'
}
breakdown_line() { echo "p50 $(column_pct "$1" 50) ms, p95 $(column_pct "$1" 95) ms, max $(column_pct "$1" 100) ms"; }

ERRORS="$WORK/errors.txt"
: >"$ERRORS"
for name in "${NAMES[@]}"; do
    grep -E '^[0-9-]+ [0-9:,]+ ERROR ' "$WORK/$name.log" | sed "s/^/$name: /" >>"$ERRORS" || true
done
error_count="$(wc -l <"$ERRORS")"
warn_count=0
for name in "${NAMES[@]}"; do
    warn_count=$((warn_count + $(grep -cE '^[0-9-]+ [0-9:,]+ WARN ' "$WORK/$name.log" || true)))
done
# Lost updates of the replicas' state rows: a replica's row saying it serves an older version after it had recorded the
# newer one (found in PostgreSQL's statement log; see rollout-stale-writes.awk). No request fails because of one, but a
# flip waiting for that replica answers only once the next heartbeat repairs the row.
STALE="$WORK/stale.txt"
awk -f "$STALE_AWK" "$WORK/postgres.log" >"$STALE" || true
stale_count="$(awk '/^STALE-COUNT/ { print $2 }' "$STALE")"
haproxy_errors="$(grep -vE 'Health check|is UP|is DOWN|Proxy .* started|backend .* has no server' "$HAPROXY_LOG" | grep -c . || true)"

verdict=PASS
fail() { verdict=FAIL; FAILURES+=("$1"); }
FAILURES=()
[[ $requests =~ ^[0-9]+$ && $requests -gt 0 ]] || fail "wrk reported no requests"
[[ $non2xx == 0 ]] || fail "$non2xx non-2xx responses"
[[ $mismatches == 0 ]] || fail "$mismatches version/value mismatches"
[[ $socket_errors == 0 ]] || fail "$socket_errors socket errors (connect/read/write/timeout)"
[[ $flips_done == "$FLIPS" ]] || fail "$flips_done of $FLIPS flips done"
[[ $not_200 == 0 ]] || fail "$not_200 flips did not answer 200"
[[ $answer_short == 0 ]] || fail "$answer_short 200 answers did not list three replicas all serving the target"
[[ $behind == 0 ]] || fail "$behind flips: a replica's readiness check named another version right after the answer"
[[ $history_count == $((FLIPS + 1)) ]] || fail "activation history has $history_count entries, expected $((FLIPS + 1))"
[[ $exit_code == 0 || $exit_code == 143 ]] || fail "$rname exited with status $exit_code on SIGTERM"
[[ $restarted_serving == "$final_version" ]] || fail "restarted $rname serves $restarted_serving, not $final_version"
[[ -n $after_requests && -n $up_requests && $after_requests -gt $up_requests ]] || fail "HAProxy sent the restarted $rname no requests"
[[ $error_count == 0 ]] || fail "$error_count ERROR lines in the replica logs"

# ------------------------------------------------------------------------------------------------------------------
# Report
# ------------------------------------------------------------------------------------------------------------------
cat <<EOF

================ Rollout under load: results ================
started            $STARTED_AT (load average before: $LOAD_BEFORE, at the end: $(cut -d' ' -f1-3 /proc/loadavg))
machine            $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(free -h | awk '/^Mem:/ { print $2 " RAM" }')
server             ${APP_COPIED:-$APP_DIR}${APP_COPIED:+ (copied for this run)} (app jar sha256 $(sha256sum "$APP_DIR"/app/*.jar | cut -c1-12)), -Xmx$HEAP each
setup              PostgreSQL 15 (one), replicas r1 r2 r3, HAProxy $(haproxy -v | awk 'NR == 1 { print $3 }') roundrobin, check /q/health/ready (management ports ${MGMT_PORTS[*]}) inter 500ms fall 1 rise 2, retries 0
load               wrk -t$THREADS -c$CONNECTIONS through HAProxy, POST /v2/models/$MODEL/infer x=3, $(load duration_s) s

-- load (whole run: flips and restart) --
requests           $requests ($(load requests_per_s)/s; latency p50 $(load latency_p50_ms) ms, p99 $(load latency_p99_ms) ms, max $(load latency_max_ms) ms)
non-2xx            $non2xx
mismatches         $mismatches (answers checked against X-Turnout-Model-Version: $(load answered_by_v1) by version 1 = 7.0, $(load answered_by_v2) by version 2 = 11.0)
socket errors      connect $(load socket_errors_connect), read $(load socket_errors_read), write $(load socket_errors_write), timeout $(load socket_errors_timeout)

-- flips ($FLIP_START_UTC-$FLIP_END_UTC UTC, PUT ?wait=$FLIP_WAIT to r1, r2, r3 in turn, ${FLIP_PAUSE}s apart) --
flips done         $flips_done of $FLIPS
statuses           $statuses
convergence (200)  p50 $p50 ms, p95 $p95 ms, max $pmax ms, mean $mean ms (PUT sent -> 200: every live replica serves it)
200 answers short  $answer_short (answer not listing 3 replicas all serving the target)
readiness behind   $behind (a replica's /q/health/ready named another version right after the answer)
history entries    $history_count (expected $((FLIPS + 1)): the initial activation + $FLIPS flips)
 where the time went (PostgreSQL's statement log: the rows the waiting replica reads):
   PUT -> commit         $(breakdown_line 2)
   commit -> last row    $(breakdown_line 3)  (the last replica records that it serves the target)
   last row -> 200       $(breakdown_line 4)

-- restart of $rname under load --
SIGTERM -> DOWN    $((t_down - t_term)) ms (HAProxy health check)
SIGTERM -> exit    $((t_exit - t_term)) ms, exit status $exit_code
exit -> ready      $((t_ready - t_exit)) ms; UP in HAProxy after $((t_up - t_exit)) ms
after restart      serves version $restarted_serving (active: $final_version); HAProxy sent it $((after_requests - up_requests)) requests in the ${SETTLE}s after it was UP
replica states     $final_states
stale state writes $stale_count (a replica's row in replica_model went back to an older version; listed below)

-- logs --
ERROR lines        $error_count (below)
WARN lines         $warn_count
HAProxy log lines  $haproxy_errors besides health-check state changes (only errors and non-2xx are logged)
EOF
if [[ $error_count -gt 0 ]]; then
    head -50 "$ERRORS"
fi
if [[ $warn_count -gt 0 ]]; then
    echo "-- WARN lines, counted by message (all replicas; thread numbers dropped) --"
    for name in "${NAMES[@]}"; do
        grep -E '^[0-9-]+ [0-9:,]+ WARN ' "$WORK/$name.log" || true
    done | sed -E 's/^[0-9-]+ [0-9:,]+ WARN +//; s/\(([A-Za-z-]+[a-z])-?[0-9]*\)/(\1)/' | cut -c1-200 | sort | uniq -c | sort -rn | head -20
fi
if [[ ${stale_count:-0} -gt 0 ]]; then
    echo "-- stale state writes (PostgreSQL log, first 20) --"
    grep '^STALE ' "$STALE" | head -20
fi
if grep -q '^ROLLOUT-PROBLEM' "$WRK_OUT"; then
    echo "-- problems wrk saw (first 10 per thread) --"
    grep '^ROLLOUT-PROBLEM' "$WRK_OUT" | head -40
fi
if [[ $haproxy_errors -gt 0 ]]; then
    echo "-- HAProxy log (first 30 lines besides health checks) --"
    grep -vE 'Health check|is UP|is DOWN|Proxy .* started|backend .* has no server' "$HAPROXY_LOG" | head -30
fi
echo "-- HAProxy health-check changes --"
grep -E 'is UP|is DOWN|Health check' "$HAPROXY_LOG" | sed -E 's/^[0-9-]+T([0-9:]{8}\.[0-9]{3})[0-9]*[+-][0-9:]+ /\1 UTC /' | head -20 || true
if [[ $not_200 -gt 0 || $answer_short -gt 0 || $behind -gt 0 ]]; then
    echo "-- flips with a problem --"
    awk -F'\t' 'NR == 1 || $4 != 200 || $6 != 3 || $7 != "true" { print; next } { split($8, s, ","); if (s[1] != $3 || s[2] != $3 || s[3] != $3) print }' "$FLIPS_TSV"
fi
echo "-- every flip (ms: total = PUT sent -> answer; commit, propagate, answer as above; last: whose row came last) --"
paste "$FLIPS_TSV" "$BREAKDOWN" | awk -F'\t' 'NR == 1 { printf "%4s %3s %6s %6s %7s %7s %9s %7s  %s\n", "flip", "via", "target", "status", "total", "commit", "propagate", "answer", "last"; next }
    { printf "%4s %3s %6s %6s %7s %7s %9s %7s  %s\n", $1, $2, $3, $4, $5, $12, $13, $14, $15 }'
echo
echo "verdict            $verdict"
for failure in "${FAILURES[@]}"; do echo "  - $failure"; done
echo "============================================================="
[[ $verdict == PASS ]] || exit 1
