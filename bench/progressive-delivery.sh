#!/usr/bin/env bash
# Progressive delivery under load (issue 10): one PostgreSQL, three packaged Turnout replicas behind HAProxy, continuous
# wrk load (bench/progressive-load.lua: every answer checked against the version it names, tallied per second). On
# model "linear" (version 1 = linear-v1 active, 2 = linear-v2, 3 = a faulty linear-v2 that answers NaN from x = 2.5,
# made by bench/make_faulty_linear.py) it runs, in order:
#   (d) shadow of version 2 (sample SHADOW_SAMPLE), twice: first watched for SHADOW_DURATION with max_disagreement 1
#       (never breached: it passes, turns PAUSED, reports, and is aborted by the harness), then with max_disagreement
#       0.02; every client answer is version 1's, and the rollout reports version 2's disagreement (it differs on
#       every input, so the analysis aborts the second one);
#   (a) canary of version 2, steps 5 -> 25 -> 50 -> promoted, with 0 failed requests;
#   (c) during (a), the share of answers by version 2 in each step, over the seconds fully inside the step, within
#       +-3 points of its weight over >= 10,000 requests;
#   (b) canary of version 3 (now against version 2): aborted automatically within two analysis intervals of its
#       first faulty answer, and no request fails once every replica has had a sync interval to apply the abort;
#   routing cost: the throughput of the same load with no rollout and with a canary of version 1 held at 50 %
#       (step_duration 1h, aborted after its window), alternated twice (COST_WINDOW seconds each): the rollout
#       windows must keep >= 95 % of the throughput of the windows without one;
#   (e) canary of version 1 against version 2, steps 25 -> 50: once its first step passed, the replica that
#       analysed it (named as the actor of the history's rollout_step line) is killed with SIGKILL; another replica
#       must go on analysing (a later decision), and the rollout must step or promote (promoted, by another replica).
#       HAProxy's health checks take the dead replica out.
#
#   flock -o /tmp/turnout-mvn.lock flock -o /tmp/turnout-bench.lock bench/progressive-delivery.sh
#
# Environment (all optional): APP_DIR / SOURCE_APP as in rollout-harness.sh; STEP_DURATION (default 20s);
# ANALYSIS_INTERVAL (default 2s); SYNC_INTERVAL (default 1s); SHADOW_SAMPLE (default 0.2); SHADOW_DURATION (15s);
# COST_WINDOW (15 s);
# E_STEP_DURATION (10s); CONNECTIONS (16);
# THREADS (2); HEAP (384m); ports PG_PORT LB_PORT STATS_PORT REPLICA_PORTS MGMT_PORTS (25442, 18380, 18389,
# "18381 18382 18383", "18391 18392 18393"); KEEP_LOGS=DIR keeps the logs, timeline and per-second tallies.
# Everything binds to 127.0.0.1; on exit everything started here is stopped and the work dir deleted.
# Exit status: 0 when every check passed, 1 when one failed, 2 when the harness itself could not run.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
APP_DIR="${APP_DIR:-}"
SOURCE_APP="${SOURCE_APP:-$REPO/target/quarkus-app}"
STEP_DURATION="${STEP_DURATION:-20s}"
ANALYSIS_INTERVAL="${ANALYSIS_INTERVAL:-2s}"
SYNC_INTERVAL="${SYNC_INTERVAL:-1s}"
SHADOW_SAMPLE="${SHADOW_SAMPLE:-0.2}"
COST_WINDOW="${COST_WINDOW:-15}"
SHADOW_DURATION="${SHADOW_DURATION:-15s}"
E_STEP_DURATION="${E_STEP_DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-16}"
THREADS="${THREADS:-2}"
HEAP="${HEAP:-384m}"
PG_PORT="${PG_PORT:-25442}"
LB_PORT="${LB_PORT:-18380}"
STATS_PORT="${STATS_PORT:-18389}"
read -r -a PORTS <<<"${REPLICA_PORTS:-18381 18382 18383}"
read -r -a MGMT_PORTS <<<"${MGMT_PORTS:-18391 18392 18393}"
KEEP_LOGS="${KEEP_LOGS:-}"
PG_BIN=/usr/lib/postgresql/15/bin
MODELS="$REPO/src/test/resources/models"
LUA="$HERE/progressive-load.lua"
MODEL=linear
NAMES=(r1 r2 r3)
PG_TIMEOUT=60
READY_TIMEOUT=180
LB_TIMEOUT=30
STOP_TIMEOUT=60
HTTP_TIMEOUT=10
ROLLOUT_TIMEOUT=300   # s, longest wait for one rollout to end

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "HARNESS ERROR: $*"; exit 2; }
seconds_of() { # "20s", "1500ms", "2m" -> seconds (rounded up)
    awk -v d="$1" 'BEGIN { if (d ~ /ms$/) { v = substr(d, 1, length(d) - 2) / 1000 } else if (d ~ /s$/) { v = substr(d, 1, length(d) - 1) }
        else if (d ~ /m$/) { v = substr(d, 1, length(d) - 1) * 60 } else { v = d } printf "%d", (v == int(v)) ? v : int(v) + 1 }'
}

ensure_debian_packages curl jq haproxy wrk postgresql-15
for tool in java curl jq haproxy wrk awk runuser /usr/bin/python3; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
[[ -f $MODELS/linear-v1.onnx && -f $MODELS/linear-v2.onnx ]] || die "the linear-v1/v2.onnx fixtures are missing"
if [[ -n $APP_DIR && ! -f $APP_DIR/quarkus-run.jar ]]; then
    [[ -f $SOURCE_APP/quarkus-run.jar ]] || die "no server at $APP_DIR nor at $SOURCE_APP"
    cp -r "$SOURCE_APP" "$APP_DIR"
fi
[[ -n $APP_DIR || -f $SOURCE_APP/quarkus-run.jar ]] || die "no server at $SOURCE_APP (./mvnw package first)"
for port in "$PG_PORT" "$LB_PORT" "$STATS_PORT" "${PORTS[@]}" "${MGMT_PORTS[@]}"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "something already listens on 127.0.0.1:$port"; fi
done

STARTED_AT="$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
WORK="$(mktemp -d /tmp/progressive-delivery.XXXXXX)"
chmod 711 "$WORK"
PGDATA="$WORK/pg"
WRK_OUT="$WORK/wrk.out"
TIMELINE="$WORK/timeline.tsv"
PIDS=("" "" "")
HAPROXY_PID=""
WRK_PID=""
POLL_PID=""
PG_STARTED=""
APP_COPIED=""

cleanup() {
    local rc=$? i
    set +e
    trap - INT TERM
    stop_pid "$POLL_PID" poller TERM 5
    stop_pid "$WRK_PID" wrk INT 30
    stop_pid "$HAPROXY_PID" haproxy TERM 10
    for i in 0 1 2; do [[ -n ${PIDS[$i]} ]] && kill -TERM "${PIDS[$i]}" 2>/dev/null; done
    for i in 0 1 2; do stop_pid "${PIDS[$i]}" "${NAMES[$i]}" TERM "$STOP_TIMEOUT"; done
    if [[ -n $PG_STARTED ]]; then
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t "$PG_TIMEOUT" stop >/dev/null 2>&1
    fi
    if [[ -n $KEEP_LOGS ]]; then
        mkdir -p "$KEEP_LOGS"
        cp "$WORK"/*.log "$WORK"/*.tsv "$WORK"/*.out "$WORK"/*.json "$KEEP_LOGS"/ 2>/dev/null
        log "logs kept in $KEEP_LOGS"
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

prepare_server_copy
make_run_token
/usr/bin/python3 "$HERE/make_faulty_linear.py" "$WORK/linear-nan.onnx" || die "make_faulty_linear.py failed"
start_bench_postgres -c max_connections=150

# ------------------------------------------------------------------------------------------------------------------
# Replicas and HAProxy
# ------------------------------------------------------------------------------------------------------------------
start_replica() { # index
    local i=$1 name=${NAMES[$1]}
    mkdir -p "$WORK/data-$name"
    QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" \
    QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD=unused \
        java "-Xmx$HEAP" -Dquarkus.http.host=127.0.0.1 "-Dquarkus.http.port=${PORTS[$i]}" \
            -Dquarkus.management.host=127.0.0.1 "-Dquarkus.management.port=${MGMT_PORTS[$i]}" \
            "-Dturnout.security.tokens.bench.sha256=$TOKEN_SHA" -Dturnout.security.tokens.bench.roles=publisher,operator,viewer \
            "-Dturnout.data-dir=$WORK/data-$name" "-Dturnout.rollout.replica-id=$name" \
            "-Dturnout.delivery.analysis-interval=$ANALYSIS_INTERVAL" "-Dturnout.delivery.sync-interval=$SYNC_INTERVAL" \
            -jar "$APP_DIR/quarkus-run.jar" >>"$WORK/$name.log" 2>&1 </dev/null &
    PIDS[$i]=$!
    log "started $name on 127.0.0.1:${PORTS[$i]} (pid ${PIDS[$i]})"
}
wait_ready() { # index
    local i=$1 deadline=$((SECONDS + READY_TIMEOUT))
    until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:${MGMT_PORTS[$i]}/q/health/ready" || true) == 200 ]]; do
        kill -0 "${PIDS[$i]}" 2>/dev/null || { tail -40 "$WORK/${NAMES[$i]}.log" >&2; die "${NAMES[$i]} exited while starting"; }
        ((SECONDS < deadline)) || die "${NAMES[$i]} not ready after ${READY_TIMEOUT}s"
        sleep 0.25
    done
}
for i in 0 1 2; do start_replica "$i"; done
for i in 0 1 2; do wait_ready "$i"; done

cat >"$WORK/haproxy.cfg" <<CFG
global
    maxconn 2000
defaults
    mode http
    retries 2
    option redispatch 1
    # a request that reached a replica killed with SIGKILL (e) gets no answer: HAProxy sends it to another one, as a
    # production balancer would; nothing else is retried (an answer, even a 500, goes back to the client as it is)
    retry-on conn-failure empty-response
    timeout connect 2s
    timeout client 60s
    timeout server 60s
frontend turnout
    bind 127.0.0.1:$LB_PORT
    default_backend replicas
backend replicas
    balance roundrobin
    option httpchk GET /q/health/ready
    http-check expect status 200
    default-server inter 500ms fall 1 rise 2
    server r1 127.0.0.1:${PORTS[0]} check port ${MGMT_PORTS[0]}
    server r2 127.0.0.1:${PORTS[1]} check port ${MGMT_PORTS[1]}
    server r3 127.0.0.1:${PORTS[2]} check port ${MGMT_PORTS[2]}
listen stats
    bind 127.0.0.1:$STATS_PORT
    stats enable
    stats uri /stats
CFG
haproxy -c -q -f "$WORK/haproxy.cfg" || die "HAProxy rejects its configuration"
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 </dev/null &
HAPROXY_PID=$!

# ------------------------------------------------------------------------------------------------------------------
# Versions 1, 2, 3; version 1 active
# ------------------------------------------------------------------------------------------------------------------
# Every call goes through HAProxy, so the API stays reachable while (e) kills a replica.
API="http://127.0.0.1:$LB_PORT"
deadline=$((SECONDS + LB_TIMEOUT))
until [[ $(curl -s --max-time 2 "http://127.0.0.1:$STATS_PORT/stats;csv" | awk -F, '$1 == "replicas" && $2 != "BACKEND" && $18 ~ /^UP/' | wc -l) == 3 ]]; do
    ((SECONDS < deadline)) || die "HAProxy does not see three replicas UP"
    sleep 0.2
done
api() { # method path [json] -> body on stdout; "HTTP nnn" on the last line of stderr when not 2xx
    local method=$1 path=$2 data=${3:-} out="$WORK/api.out" code
    if [[ -n $data ]]; then
        code="$(curl -s -o "$out" -w '%{http_code}' --max-time 60 "${AUTH[@]}" -X "$method" -H 'Content-Type: application/json' -d "$data" "$API$path")"
    else
        code="$(curl -s -o "$out" -w '%{http_code}' --max-time 60 "${AUTH[@]}" -X "$method" "$API$path")"
    fi
    cat "$out"
    [[ $code == 2* ]] || { echo "HTTP $code" >&2; return 1; }
}
upload() { # file expected-version
    local answer
    answer="$(curl -s --max-time 60 "${AUTH[@]}" -F "artifact=@$1" "$API/api/models/$MODEL/versions")"
    [[ $(jq -r .version <<<"$answer") == "$2" ]] || die "upload of $1 did not make version $2: $answer"
}
upload "$MODELS/linear-v1.onnx" 1
upload "$MODELS/linear-v2.onnx" 2
upload "$WORK/linear-nan.onnx" 3
api PUT "/api/models/$MODEL/active?wait=30s" '{"version":1,"reason":"progressive-delivery bench: initial"}' >/dev/null \
    || die "activating version 1 failed"
nan="$(curl -s --max-time "$HTTP_TIMEOUT" -H 'Content-Type: application/json' \
    -d '{"inputs":[{"name":"x","datatype":"FP32","shape":[2,1],"data":[3.0,1.0]}]}' "$API/v2/models/$MODEL/versions/3/infer")"
log "version 3 answers x = 3, 1 with: $(head -c 300 <<<"$nan")"
log "versions 1, 2, 3 uploaded, version 1 active, HAProxy sees r1 r2 r3 UP"

# ------------------------------------------------------------------------------------------------------------------
# Load and the rollout timeline (GET .../rollouts/current every 0.25 s: epoch ms, rollout id, state, weight, step)
# ------------------------------------------------------------------------------------------------------------------
wrk -t "$THREADS" -c "$CONNECTIONS" -d 3600s --timeout 10s --latency -s "$LUA" \
    "http://127.0.0.1:$LB_PORT/v2/models/$MODEL/infer" >"$WRK_OUT" 2>&1 </dev/null &
WRK_PID=$!
(
    trap 'exit 0' TERM
    while true; do
        view="$(curl -s --max-time 2 "${AUTH[@]}" "$API/api/models/$MODEL/rollouts/current" 2>/dev/null || true)"
        printf '%s\t%s\n' "$(date +%s%3N)" "$(jq -r '[.id, .strategy, .state, .weight, (.step // 0)] | @tsv' <<<"$view" 2>/dev/null || echo "-")" >>"$TIMELINE"
        sleep 0.25
    done
) &
POLL_PID=$!
sleep 5
kill -0 "$WRK_PID" 2>/dev/null || { cat "$WRK_OUT" >&2; die "wrk exited early"; }

start_rollout() { # json -> rollout id
    local answer
    answer="$(api POST "/api/models/$MODEL/rollouts" "$1")" || die "starting a rollout answered: $answer"
    jq -r .id <<<"$answer"
}
wait_ended() { # id [extra state to stop at] -> the final view in $WORK/rollout-ID.json
    local id=$1 also=${2:-ENDED} deadline=$((SECONDS + ROLLOUT_TIMEOUT)) view state
    while true; do
        view="$(api GET "/api/models/$MODEL/rollouts/current" || true)"
        state="$(jq -r '"\(.id) \(.state)"' <<<"$view" 2>/dev/null || echo "")"
        [[ $state == "$id PROMOTED" || $state == "$id ABORTED" || $state == "$id $also" ]] && break
        ((SECONDS < deadline)) || die "rollout $id did not end in ${ROLLOUT_TIMEOUT}s: $view"
        sleep 0.5
    done
    printf '%s\n' "$view" >"$WORK/rollout-$id.json"
}
epoch_ms() { date +%s%3N; }

# (d) shadow, watched: passes after SHADOW_DURATION (PAUSED, reporting), then aborted here
log "(d) shadow of version 2, sample $SHADOW_SAMPLE, watched for $SHADOW_DURATION (max_disagreement 1)"
W_START=$(epoch_ms)
W_ID="$(start_rollout "{\"version\":2,\"strategy\":\"shadow\",\"sample\":$SHADOW_SAMPLE,\"duration\":\"$SHADOW_DURATION\",\"analysis\":{\"max_disagreement\":1,\"min_requests\":100},\"reason\":\"bench (d) watched\"}")"
wait_ended "$W_ID" PAUSED
W_END=$(epoch_ms)
api POST "/api/models/$MODEL/rollouts/current/abort" '{"reason":"bench (d): watched shadow done"}' >/dev/null \
    || die "aborting the watched shadow $W_ID failed"
sleep 2
# (d) shadow with max_disagreement 0.02: aborted by the analysis
log "(d) shadow of version 2, sample $SHADOW_SAMPLE (max_disagreement 0.02)"
D_START=$(epoch_ms)
D_ID="$(start_rollout "{\"version\":2,\"strategy\":\"shadow\",\"sample\":$SHADOW_SAMPLE,\"duration\":\"1m\",\"analysis\":{\"max_disagreement\":0.02},\"reason\":\"bench (d)\"}")"
wait_ended "$D_ID"
D_END=$(epoch_ms)
sleep 2

# (a) + (c) canary of a good candidate
log "(a) canary of version 2: 5 -> 25 -> 50, $STEP_DURATION each"
A_START=$(epoch_ms)
A_ID="$(start_rollout "{\"version\":2,\"strategy\":\"canary\",\"steps\":[5,25,50],\"step_duration\":\"$STEP_DURATION\",\"analysis\":{\"max_error_rate\":0.01,\"min_requests\":200},\"reason\":\"bench (a)\"}")"
wait_ended "$A_ID"
A_END=$(epoch_ms)
sleep 3

# (b) canary of a faulty candidate
log "(b) canary of version 3 (NaN for x >= 2.5) against version 2"
B_START=$(epoch_ms)
B_ID="$(start_rollout "{\"version\":3,\"strategy\":\"canary\",\"steps\":[25,50],\"step_duration\":\"$STEP_DURATION\",\"analysis\":{\"max_error_rate\":0.01,\"min_requests\":100},\"reason\":\"bench (b)\"}")"
wait_ended "$B_ID"
B_END=$(epoch_ms)
sleep 10
B_AFTER_END=$(epoch_ms)

# Routing cost: windows of COST_WINDOW s without a rollout and with a canary of version 1 held at 50 %, alternated
# twice; each canary window starts once the rollout is RUNNING and every replica had a sync interval (+2 s) to load
# the candidate and split; the canary is then aborted and the next baseline window waits as long.
cost_settle_s=$(( $(seconds_of "$SYNC_INTERVAL") + 2 ))
COST_WINDOWS=()   # "kind from_ms to_ms"
for round in 1 2; do
    log "routing cost, round $round: ${COST_WINDOW} s without a rollout"
    from=$(epoch_ms); sleep "$COST_WINDOW"; COST_WINDOWS+=("none $from $(epoch_ms)")
    log "routing cost, round $round: ${COST_WINDOW} s with a canary of version 1 at 50 %"
    cost_id="$(start_rollout "{\"version\":1,\"strategy\":\"canary\",\"steps\":[50],\"step_duration\":\"1h\",\"analysis\":{\"max_error_rate\":0.01,\"min_requests\":100},\"reason\":\"bench routing cost $round\"}")"
    sleep "$cost_settle_s"
    from=$(epoch_ms); sleep "$COST_WINDOW"; COST_WINDOWS+=("canary $from $(epoch_ms)")
    api POST "/api/models/$MODEL/rollouts/current/abort" '{"reason":"bench routing cost: window done"}' >/dev/null \
        || die "aborting the routing-cost canary $cost_id failed"
    sleep "$cost_settle_s"
done

# (e) kill the analysing replica mid-rollout
log "(e) canary of version 1 against version 2: 25 -> 50, $E_STEP_DURATION each; SIGKILL to the analysing replica"
E_START=$(epoch_ms)
E_ID="$(start_rollout "{\"version\":1,\"strategy\":\"canary\",\"steps\":[25,50],\"step_duration\":\"$E_STEP_DURATION\",\"analysis\":{\"max_error_rate\":0.01,\"min_requests\":200},\"reason\":\"bench (e)\"}")"
deadline=$((SECONDS + ROLLOUT_TIMEOUT))
E_VICTIM=""
until [[ -n $E_VICTIM ]]; do
    ((SECONDS < deadline)) || die "the first step of rollout $E_ID did not pass in ${ROLLOUT_TIMEOUT}s"
    sleep 0.25
    E_VICTIM="$(api GET "/api/models/$MODEL/activations?limit=20" 2>/dev/null \
        | jq -r '[.. | objects | select(.kind? == "rollout_step" and .version? == 1)] | first | .actor // empty' 2>/dev/null \
        | sed -n 's/.*analysis on \([^)]*\)).*/\1/p' || true)"
done
E_STEP_MS=$(epoch_ms)
E_VICTIM_INDEX=""
for i in 0 1 2; do [[ ${NAMES[$i]} == "$E_VICTIM" ]] && E_VICTIM_INDEX=$i; done
[[ -n $E_VICTIM_INDEX ]] || die "rollout $E_ID stepped, analysed by an unknown replica '$E_VICTIM'"
sleep 1   # mid-step: the 50 % step runs, the victim has analysed it at least once more
log "(e) $E_VICTIM analysed step 1 -> 2: kill -9 ${PIDS[$E_VICTIM_INDEX]}"
E_KILL_MS=$(epoch_ms)
kill -KILL "${PIDS[$E_VICTIM_INDEX]}"
wait "${PIDS[$E_VICTIM_INDEX]}" 2>/dev/null || true
PIDS[$E_VICTIM_INDEX]=""
deadline=$((SECONDS + LB_TIMEOUT))
until [[ $(curl -s --max-time 2 "http://127.0.0.1:$STATS_PORT/stats;csv" | awk -F, -v n="$E_VICTIM" '$1 == "replicas" && $2 == n && $18 ~ /^DOWN/' | wc -l) == 1 ]]; do
    ((SECONDS < deadline)) || die "HAProxy still has $E_VICTIM UP ${LB_TIMEOUT}s after its SIGKILL"
    sleep 0.05
done
E_DOWN_MS=$(epoch_ms)
wait_ended "$E_ID"
E_END=$(epoch_ms)
sleep 3
END=$(epoch_ms)

stop_pid "$POLL_PID" poller TERM 5; POLL_PID=""
stop_pid "$WRK_PID" wrk INT 30; WRK_PID=""
api GET "/api/models/$MODEL/activations?limit=100" >"$WORK/activations.json" || true
for i in 0 1 2; do
    curl -s --max-time 2 "http://127.0.0.1:${MGMT_PORTS[$i]}/q/metrics" | grep -E '^turnout_shadow_' >"$WORK/metrics-${NAMES[$i]}.log" || true
done

# ------------------------------------------------------------------------------------------------------------------
# Figures
# ------------------------------------------------------------------------------------------------------------------
SECS="$WORK/seconds.tsv"
awk '$1 == "PD-SEC" { v1[$2] += $3; v2[$2] += $4; v3[$2] += $5; f[$2] += $6 }
    END { for (s in v1) print s "\t" v1[s] "\t" v2[s] "\t" v3[s] "\t" f[s] }' "$WRK_OUT" | sort -n >"$SECS"
load() { local v; v="$(awk -F= -v k="$1" '$1 == "PD-LOAD " k { print $2 }' "$WRK_OUT" | tail -1)"; echo "${v:-?}"; }
window() { # from_ms to_ms -> "v1 v2 v3 failures" summed over the seconds fully inside [from, to)
    awk -v a="$1" -v b="$2" '{ s = $1 * 1000 } s >= a && s + 1000 <= b { v1 += $2; v2 += $3; v3 += $4; f += $5 }
        END { printf "%d %d %d %d\n", v1, v2, v3, f }' "$SECS"
}
verdict=PASS
FAILURES=()
fail() { verdict=FAIL; FAILURES+=("$1"); }

# (d): every answer during the shadows by version 1, none failed; the rollouts' reported disagreement
read -r w1 w2 w3 wf <<<"$(window "$W_START" "$W_END")"
w_state="$(jq -r .state "$WORK/rollout-$W_ID.json")"
w_shadow="$(jq -c '.figures.shadow // {}' "$WORK/rollout-$W_ID.json")"
w_rate="$(jq -r '.figures.shadow.disagreement // "?"' "$WORK/rollout-$W_ID.json")"
[[ $w2 == 0 && $w3 == 0 && $wf == 0 && $w1 -gt 0 ]] || fail "(d) during the watched shadow: v1 $w1, v2 $w2, v3 $w3, failed $wf"
[[ $w_state == PAUSED ]] || fail "(d) the watched shadow ended $w_state, not PAUSED after its duration"
awk -v r="$w_rate" 'BEGIN { exit !(r >= 0.99) }' || fail "(d) the watched shadow reports a disagreement of $w_rate, not ~1 (version 2 differs on every input)"
read -r d1 d2 d3 df <<<"$(window "$D_START" "$D_END")"
d_state="$(jq -r .state "$WORK/rollout-$D_ID.json")"
d_figures="$(jq -c '.figures' "$WORK/rollout-$D_ID.json")"
d_last="$(jq -c '.decisions[0]' "$WORK/rollout-$D_ID.json")"
d_disagreement="$(jq -r '[.. | objects | .disagreement? // empty] | first // "?"' "$WORK/rollout-$D_ID.json")"
[[ $d2 == 0 && $d3 == 0 && $df == 0 && $d1 -gt 0 ]] || fail "(d) during the shadow: v1 $d1, v2 $d2, v3 $d3, failed $df"
[[ $d_state == ABORTED ]] || fail "(d) the shadow of a differing version 2 ended $d_state, not ABORTED on its disagreement"

# (a): promoted, nothing failed from its start to 3 s after its end
read -r a1 a2 a3 af <<<"$(window "$A_START" "$((A_END + 3000))")"
a_state="$(jq -r .state "$WORK/rollout-$A_ID.json")"
[[ $a_state == PROMOTED ]] || fail "(a) the canary of version 2 ended $a_state"
[[ $af == 0 ]] || fail "(a) $af failed requests during the canary of version 2"

# (c): per step, over the seconds whose every poll (and those of the second before and after) saw that weight
STEPS="$WORK/steps.tsv"
awk -F'\t' -v id="$A_ID" -v secs="$SECS" '
    BEGIN { while ((getline line < secs) > 0) { split(line, f, "\t"); v1[f[1]] = f[2]; v2[f[1]] = f[3] } }
    $2 == id && ($4 == "RUNNING" || $4 == "PAUSED") { s = int($1 / 1000); if (!(s in w)) w[s] = $5; else if (w[s] != $5) w[s] = -1 }
    END {
        for (s in w) if (w[s] >= 0 && w[s - 1] == w[s] && w[s + 1] == w[s]) { n[w[s]] += v1[s] + v2[s]; c[w[s]] += v2[s]; secs_in[w[s]]++ }
        for (k in n) printf "%d\t%d\t%d\t%d\t%.2f\n", k, secs_in[k], n[k], c[k], 100 * c[k] / n[k]
    }' "$TIMELINE" | sort -n >"$STEPS"
for weight in 5 25 50; do
    row="$(awk -F'\t' -v w="$weight" '$1 == w' "$STEPS")"
    if [[ -z $row ]]; then fail "(c) no whole second observed at weight $weight"; continue; fi
    IFS=$'\t' read -r _ _ total _ share <<<"$row"
    ((total >= 10000)) || fail "(c) weight $weight: only $total requests observed (>= 10,000 wanted)"
    awk -v s="$share" -v w="$weight" 'BEGIN { exit !(s >= w - 3 && s <= w + 3) }' || fail "(c) weight $weight: observed $share %"
done

# (b): aborted; when; failures after every replica had a sync interval (+1 s) to apply the abort
b_state="$(jq -r .state "$WORK/rollout-$B_ID.json")"
[[ $b_state == ABORTED ]] || fail "(b) the canary of the faulty version 3 ended $b_state"
b_abort_ms="$(awk -F'\t' -v id="$B_ID" '$2 == id && $4 == "ABORTED" { print $1; exit }' "$TIMELINE")"
b_abort_ms="${b_abort_ms:-$B_END}"
sync_s="$(seconds_of "$SYNC_INTERVAL")"
analysis_s="$(seconds_of "$ANALYSIS_INTERVAL")"
read -r b1 b2 b3 bf_before <<<"$(window "$B_START" "$b_abort_ms")"
read -r _ _ b3_after bf_after <<<"$(window "$((b_abort_ms + (sync_s + 1) * 1000))" "$B_AFTER_END")"
b_time_ms=$((b_abort_ms - B_START))
# the first second with an answer by version 3 (its first faulty answers): the abort is timed from there too
b_first_s="$(awk -v a="$B_START" '$1 * 1000 >= a - 1000 && ($4 > 0 || $5 > 0) { print $1; exit }' "$SECS")"
b_first_s="${b_first_s:-$((B_START / 1000))}"
b_from_first_ms=$((b_abort_ms - b_first_s * 1000))
b_last_fail="$(awk -v a="$B_START" '$1 * 1000 >= a - 1000 && $5 > 0 { last = $1 } END { print last + 0 }' "$SECS")"
[[ $bf_after == 0 && $b3_after == 0 ]] || fail "(b) after the abort (+${sync_s}s sync +1 s): $bf_after failed, $b3_after answered by version 3"
# within two analysis intervals: the abort is the first or second round that saw version 3's traffic, and comes at
# most two intervals after its first faulty answer (+1 s: the tallies know that answer's second, not its instant)
b_rounds_before="$(jq '[.decisions[1:][] | select((.figures.candidate.requests // 0) > 0)] | length' "$WORK/rollout-$B_ID.json")"
((b_rounds_before <= 1)) || fail "(b) $b_rounds_before analysis rounds saw version 3's traffic before the one that aborted it"
((b_from_first_ms <= 2 * analysis_s * 1000 + 1000)) || fail "(b) aborted ${b_from_first_ms} ms after the second of the first faulty answer began: over two analysis intervals (${analysis_s}s) + 1 s"

# routing cost: requests per second (every answer, failed ones included) per window
COST="$WORK/cost.tsv"
: >"$COST"
for w in "${COST_WINDOWS[@]}"; do
    read -r kind from to <<<"$w"
    read -r c1 c2 c3 cf <<<"$(window "$from" "$to")"
    n="$(awk -v a="$from" -v b="$to" '{ s = $1 * 1000 } s >= a && s + 1000 <= b { n++ } END { print n + 0 }' "$SECS")"
    printf '%s\t%d\t%d\t%d\t%d\t%d\t%.1f\n' "$kind" "$n" "$c1" "$c2" "$cf" "$((c1 + c2 + c3 + cf))" \
        "$(awk -v t="$((c1 + c2 + c3 + cf))" -v n="$n" 'BEGIN { print (n > 0) ? t / n : 0 }')" >>"$COST"
done
cost_none="$(awk -F'\t' '$1 == "none" { t += $6; n += $2 } END { printf "%.1f", (n > 0) ? t / n : 0 }' "$COST")"
cost_canary="$(awk -F'\t' '$1 == "canary" { t += $6; n += $2 } END { printf "%.1f", (n > 0) ? t / n : 0 }' "$COST")"
cost_ratio="$(awk -v a="$cost_canary" -v b="$cost_none" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }')"
cost_share="$(awk -F'\t' '$1 == "canary" { t += $3 + $4; v += $3 } END { printf "%.1f", (t > 0) ? 100 * v / t : 0 }' "$COST")"
cost_failed="$(awk -F'\t' '{ f += $5 } END { print f + 0 }' "$COST")"
awk -v r="$cost_ratio" 'BEGIN { exit !(r >= 0.95) }' || fail "routing cost: $cost_canary req/s with a rollout at 50 % is ${cost_ratio} of the $cost_none req/s without (>= 0.95 wanted)"
awk -v s="$cost_share" 'BEGIN { exit !(s >= 45 && s <= 55) }' || fail "routing cost: version 1 answered $cost_share % in the canary windows, not about 50 %"
[[ $cost_failed == 0 ]] || fail "routing cost: $cost_failed failed requests in its windows"

# (e): promoted; the promotion (and the analysis after the kill) by another replica; failures around the kill
e_state="$(jq -r .state "$WORK/rollout-$E_ID.json")"
e_promoter="$(jq -r '[.. | objects | select(.kind? == "rollout_promote" and .version? == 1)] | first | .actor // "?"' "$WORK/activations.json" | sed -n 's/.*analysis on \([^)]*\)).*/\1/p')"
e_promoter="${e_promoter:-?}"
e_decisions_after="$(jq --arg k "$(date -u -d "@$((E_KILL_MS / 1000))" +%Y-%m-%dT%H:%M:%S)" '[.decisions[] | select(.created_at? // .createdAt? // "" | . > $k)] | length' "$WORK/rollout-$E_ID.json" 2>/dev/null || echo "?")"
read -r e1 e2 e3 ef <<<"$(window "$E_START" "$END")"
[[ $e_state == PROMOTED ]] || fail "(e) the rollout whose analysing replica $E_VICTIM was killed ended $e_state, not PROMOTED"
[[ $e_promoter != "$E_VICTIM" && $e_promoter != "?" ]] || fail "(e) promoted by '$e_promoter' (the killed replica was $E_VICTIM)"
# analysis rounds: (a)'s decisions (one per round) per analysis interval: 1 when one replica analyses per interval
read -r a_decisions a_span_s <<<"$("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -At -F ' ' -c \
    "SELECT count(*), round(extract(epoch FROM max(created_at) - min(created_at))::numeric, 1) FROM rollout_decision WHERE rollout_id = $A_ID" 2>/dev/null || echo "? ?")"
a_rounds_per_interval="$(awk -v n="$a_decisions" -v s="$a_span_s" -v i="$analysis_s" 'BEGIN { printf "%.2f", (s > 0) ? (n - 1) / (s / i) : 0 }')"
awk -v r="$a_rounds_per_interval" 'BEGIN { exit !(r > 0.8 && r <= 1.15) }' \
    || fail "analysis: $a_rounds_per_interval rounds per analysis interval across the replicas (one wanted)"
total_failed="$(awk '{ f += $5 } END { print f + 0 }' "$SECS")"

cat <<REPORT

================ Progressive delivery under load: results ================
started            $STARTED_AT (load average before: $LOAD_BEFORE, at the end: $(cut -d' ' -f1-3 /proc/loadavg))
machine            $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
build              $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet 2>/dev/null || echo ' (+ local changes)'), app jar sha256 $APP_SHA, -Xmx$HEAP each
setup              PostgreSQL 15, replicas r1 r2 r3, HAProxy roundrobin; analysis every $ANALYSIS_INTERVAL, sync every $SYNC_INTERVAL
load               wrk -t$THREADS -c$CONNECTIONS, POST /v2/models/$MODEL/infer x = [3, 1]: $(load requests) requests in $(load duration_s) s ($(load requests_per_s)/s; p50 $(load latency_p50_ms) ms, p99 $(load latency_p99_ms) ms), socket errors $(load socket_errors), failed answers $total_failed (all scenarios, (b)'s faulty answers included)

(d) shadow watched $(( (W_END - W_START) / 1000 )) s, then $w_state; answers: v1 $w1, v2 $w2, v3 $w3, failed $wf
                   reported: $w_shadow
(d) shadow of v2   $(( (D_END - D_START) / 1000 )) s, ended $d_state; answers: v1 $d1, v2 $d2, v3 $d3, failed $df
                   disagreement reported: $d_disagreement; last decision: $(head -c 400 <<<"$d_last")
                   shadow counters (r1 r2 r3): $(cat "$WORK"/metrics-r*.log 2>/dev/null | grep -v '^#' | awk '{ n[$1] += $2 } END { for (k in n) printf "%s=%d ", k, n[k] }')
(a) canary of v2   $(( (A_END - A_START) / 1000 )) s, ended $a_state; answers: v1 $a1, v2 $a2, failed $af
(c) share per step (seconds wholly inside the step; weight, seconds, requests, by v2, observed %):
$(awk -F'\t' '{ printf "                   %3d %%  %4d s  %7d requests  %7d by v2  %6.2f %%\n", $1, $2, $3, $4, $5 }' "$STEPS")
(b) canary of v3   ended $b_state ${b_time_ms} ms after its start (two analysis intervals: $((2 * analysis_s * 1000)) ms); before the abort: v2 $b2, failed $bf_before (the faulty answers of v3, NaN for x = 3)
                   rounds that saw v3's traffic before the aborting one: $b_rounds_before
                   after the abort + ${sync_s}s + 1 s: failed $bf_after, by v3 $b3_after; last second with a failure: $(( b_last_fail - b_abort_ms / 1000 )) s from the abort
                   first answer by v3 (faulty) in second $((b_first_s - B_START / 1000)) after the start; abort $b_from_first_ms ms after that second began
                   last decision: $(jq -c '.decisions[0]' "$WORK/rollout-$B_ID.json" | head -c 400)
routing cost       req/s per window (kind, whole seconds, by v1, by v2, failed, requests, req/s):
$(awk -F'\t' '{ printf "                   %-7s %3d s  %7d  %7d  %4d  %8d  %8.1f/s\n", $1, $2, $3, $4, $5, $6, $7 }' "$COST")
                   without a rollout $cost_none req/s, with a canary at 50 % $cost_canary req/s (v1 share $cost_share %): ratio $cost_ratio (>= 0.95 wanted)
(e) kill analyser  $E_VICTIM (analysed step 1 -> 2) killed $((E_KILL_MS - E_STEP_MS)) ms after that step was seen, $(( (E_KILL_MS - E_START) / 1000 )) s into the rollout; HAProxy DOWN after $((E_DOWN_MS - E_KILL_MS)) ms
                   ended $e_state $(( (E_END - E_KILL_MS) / 1000 )) s after the kill, promoted by $e_promoter; decisions after the kill: $e_decisions_after (of the newest $(jq '.decisions | length' "$WORK/rollout-$E_ID.json"))
                   answers from its start to 3 s after its end: v1 $e1, v2 $e2, failed $ef
analysis rounds    (a): $a_decisions decisions over $a_span_s s: $a_rounds_per_interval rounds per analysis interval ($ANALYSIS_INTERVAL) across the three replicas

verdict            $verdict
REPORT
for f in "${FAILURES[@]}"; do echo "  - $f"; done
grep '^PD-PROBLEM' "$WRK_OUT" | head -10 || true
echo "=========================================================================="
[[ $verdict == PASS ]] || exit 1
