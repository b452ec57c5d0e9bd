#!/usr/bin/env bash
# Serving benchmark (issue 3): Turnout's inference throughput and latency against the original Flask design and
# against DJL called in-process, all measured in one run on this machine.
#
#   flock /tmp/turnout-bench.lock bench/serving.sh
#
# What it measures (wrk with POST bodies from a Lua script; latency percentiles from wrk --latency):
#   Turnout, models linear (y = 2x + 1, x FP32 [1,1]) and mlp (x FP32 [1,4] -> y FP32 [1,3]) active:
#     OIP v2 /v2/models/linear/infer, /v2/models/mlp/infer and /predict ({"example": [[3.0]]}): c=32 and c=1
#   Reference: GET /v2/health/live (no body, no model), c=32 and c=1: what the HTTP stack alone costs
#   Flask (bench/flask_app.py, the original design: torch.jit.load(linear-v1.pt), app.run(threaded=True)):
#     /predict: c=32 and c=1
#   In process (bench/InProcessLatency.java): DJL + ONNX Runtime, one [1,1] prediction at a time, N=20000
# Then a summary: Turnout /predict throughput / Flask's at c=32 (target >= 20x), and Turnout's added latency at c=1
# (p50 minus in-process p50; target <= 0.25 ms).
#
# The server runs as packaged (prod profile): health is asked on its management port, and the registry calls that set
# the models up carry a bearer token generated for this run (only its SHA-256 is given to the server). Predictions
# need no token.
#
# Environment (all optional):
#   APP_DIR       run this packaged server as it is (a quarkus-app directory); by default the script copies
#                 SOURCE_APP into its work dir and runs that copy, so a rebuild during the run cannot change it
#   SOURCE_APP    what is copied when APP_DIR is not set (default target/quarkus-app of this repo: ./mvnw package)
#   PORT          Turnout's HTTP port (default 18090); MGMT_PORT its management port, health (default 18092);
#                 FLASK_PORT Flask's (default 18091); all on 127.0.0.1 only
#   WARMUP        seconds of discarded load before each measured scenario (default 5)
#   JIT_WARMUP    seconds of discarded load on each Turnout inference endpoint before the first scenario (default 2 x WARMUP)
#   DURATION      seconds measured per scenario (default 15)
#   CONNS         the high concurrency (default 32); WRK_THREADS wrk threads at that concurrency (default 2)
#   N             in-process timed predictions (default 20000)
#   JAVA_OPTS     extra JVM options for the server (default none: the server as packaged)
#   KEEP=1        keep the work dir (server and Flask logs, every wrk output; not the server copy)
#
# The whole run takes about 5 minutes with the defaults. Every process it starts is stopped on exit, also on failure.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
APP_DIR="${APP_DIR:-}"
SOURCE_APP="${SOURCE_APP:-$REPO/target/quarkus-app}"
PORT="${PORT:-18090}"
MGMT_PORT="${MGMT_PORT:-18092}"
FLASK_PORT="${FLASK_PORT:-18091}"
WARMUP="${WARMUP:-5}"
JIT_WARMUP="${JIT_WARMUP:-$((2 * WARMUP))}"
DURATION="${DURATION:-15}"
CONNS="${CONNS:-32}"
WRK_THREADS="${WRK_THREADS:-2}"
N="${N:-20000}"
JAVA_OPTS="${JAVA_OPTS:-}"
PYTHON=/usr/bin/python3 # Debian's, with python3-flask and python3-torch
MODELS="$REPO/src/test/resources/models"
BASE="http://127.0.0.1:$PORT"
MGMT="http://127.0.0.1:$MGMT_PORT"
FLASK="http://127.0.0.1:$FLASK_PORT"

READY_TIMEOUT=180 # s, server start until ready
STOP_TIMEOUT=40   # s, SIGTERM until exit

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

ensure_debian_packages curl jq wrk python3-flask python3-torch
for tool in curl jq wrk java awk timeout; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
[[ -x $PYTHON ]] || die "$PYTHON is missing"
"$PYTHON" -c 'import flask, torch' 2>/dev/null || die "$PYTHON cannot import flask and torch (apt-get install python3-flask python3-torch)"
if [[ -n $APP_DIR ]]; then
    [[ -f $APP_DIR/quarkus-run.jar ]] || die "no server at APP_DIR=$APP_DIR"
else
    [[ -f $SOURCE_APP/quarkus-run.jar ]] || die "no server at $SOURCE_APP (./mvnw package first, or set SOURCE_APP or APP_DIR)"
fi
for p in "$PORT" "$MGMT_PORT" "$FLASK_PORT"; do
    if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$p/"; then die "something already answers on port $p"; fi
done

WORK="$(mktemp -d /tmp/turnout-serving.XXXXXX)"
SERVER_PID=""
FLASK_PID=""
APP_COPIED=""

stop() { # pid name: SIGTERM, wait, SIGKILL if it will not go
    local pid=$1 name=$2
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    log "stopping $name (SIGTERM to pid $pid)"
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq $((STOP_TIMEOUT * 5))); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name still running after ${STOP_TIMEOUT}s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid" 2>/dev/null || true
}

stop_server() {
    stop "$SERVER_PID" "Turnout"
    SERVER_PID=""
    # The embedded PostgreSQL is the server's child and stops with it; if it did not, stop that one postmaster.
    local pidfile="$WORK/data/postgres/postmaster.pid" pgpid
    if [[ -f $pidfile ]]; then
        pgpid="$(head -1 "$pidfile")"
        if [[ -n $pgpid ]] && kill -0 "$pgpid" 2>/dev/null; then
            log "embedded PostgreSQL (pid $pgpid) outlived the server"
            stop "$pgpid" "PostgreSQL"
        fi
    fi
}

cleanup() {
    local rc=$?
    set +e
    stop "$FLASK_PID" "Flask"
    stop_server
    [[ -n $APP_COPIED ]] && rm -rf "$APP_DIR" # the server copy: never kept
    if [[ ${KEEP:-0} == 1 || $rc != 0 ]]; then
        log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

prepare_server_copy
make_run_token

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
# How busy the machine is before we start (2 s of /proc/stat): this benchmark wants it to itself.
IDLE_CHECK="$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)"
sleep 2
BUSY_BEFORE="$(awk -v b0="${IDLE_CHECK% *}" -v t0="${IDLE_CHECK#* }" '$1 == "cpu" {
    printf "%.0f", 100 * (($2 + $3 + $4 + $7 + $8 + $9) - b0) / (($2 + $3 + $4 + $5 + $6 + $7 + $8 + $9) - t0) }' /proc/stat)"
log "machine busy before the start: ${BUSY_BEFORE}% of $(nproc) CPUs (load average $LOAD_BEFORE)"
(( BUSY_BEFORE < 20 )) || log "warning: something else is using the CPUs; the numbers will be lower than on a quiet machine"
STARTED="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

# --- request bodies and wrk scripts -------------------------------------------------------------------------------
BODY_PREDICT='{"example": [[3.0]]}'
BODY_LINEAR='{"inputs":[{"name":"x","datatype":"FP32","shape":[1,1],"data":[3.0]}]}'
BODY_MLP='{"inputs":[{"name":"x","datatype":"FP32","shape":[1,4],"data":[1.0,-2.0,3.0,0.5]}]}'
lua() { # name body
    printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[%s]==]\n' "$2" \
        >"$WORK/$1.lua"
}
lua predict "$BODY_PREDICT"
lua linear "$BODY_LINEAR"
lua mlp "$BODY_MLP"
printf 'wrk.method = "GET"\n' >"$WORK/get.lua"

post() { curl -sS -f --max-time 10 -X POST -H 'Content-Type: application/json' -d "$2" "$1"; }

# to_ms VALUE: wrk prints latencies as 412.00us, 1.02ms or 1.20s.
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { printf "%.3f", substr(v, 1, length(v) - 2) / 1000 }
        else if (v ~ /ms$/) { printf "%.3f", substr(v, 1, length(v) - 2) }
        else if (v ~ /m$/) { printf "%.3f", substr(v, 1, length(v) - 1) * 60000 }
        else if (v ~ /s$/) { printf "%.3f", substr(v, 1, length(v) - 1) * 1000 }
        else { print "nan" } }'
}

# cpu_ticks PID: user + system CPU time of a process, all its threads, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
HZ="$(getconf CLK_TCK)"
# machine_ticks: "busy steal" for the whole machine from /proc/stat (busy = user + nice + system + irq + softirq).
machine_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $9 }' /proc/stat; }
# child_secs: sets CHILD_SECS to the user + system CPU seconds of this shell's finished children (wrk, via timeout),
# from `times`, which must run in this shell, not in a pipe's or $(...)'s subshell: hence the file and the variable.
child_secs() {
    times >"$WORK/times.txt"
    CHILD_SECS="$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } print t }' \
        "$WORK/times.txt")"
}

# ctx_snapshot PID: "tid voluntary_context_switches" per thread of the process (a thread that blocks = one switch).
# Threads come and go while we read (a vanished file is skipped); ctx_delta counts, per thread alive at the end,
# its switches since the first snapshot (0 before if it is new), so threads that exit (idle pool workers) do not
# make the difference negative.
ctx_snapshot() {
    { grep -H '^voluntary_ctxt_switches' /proc/"$1"/task/*/status 2>/dev/null || true; } |
        awk -F'[/:]' '{ gsub(/[^0-9]/, "", $NF); print $5, $NF }'
}
ctx_delta() { awk 'NR == FNR { c0[$1] = $2; next } { d += $2 - c0[$1] } END { print d + 0 }' "$1" "$2"; }
# procs_snapshot: "pid (comm) ticks" for every process (its threads' user + system CPU time, dead threads included).
procs_snapshot() {
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk '{ c = substr($0, index($0, "(")); c = substr(c, 1, index(c, ") "));
        r = substr($0, index($0, ") ") + 2); split(r, f, " "); print $1, c, f[12] + f[13] }'
}
# top_others BEFORE AFTER: the processes other than the server under test that used >= 2% of all CPUs in between.
top_others() {
    awk -v srv="$TARGET_PID" -v hz="$HZ" -v d="$DURATION" -v n="$(nproc)" '
        NR == FNR { t0[$1] = $NF; next }
        $1 != srv && ($1 in t0) { p = 100 * ($NF - t0[$1]) / hz / (d * n); if (p >= 2) printf "%s%s %.0f%%", sep, $2 "[" $1 "]", p; if (p >= 2) sep = ", " }
    ' "$1" "$2"
}

declare -A RPS P50 P99 REQS ERRS CPU_US OTHER OTHERS CSW
TARGET_PID="" # the server under test, for its CPU time per request
# scenario KEY URL LUA CONNECTIONS: WARMUP s discarded, then DURATION s measured; results in the arrays above.
scenario() {
    local key=$1 url=$2 script=$3 conns=$4 threads=$WRK_THREADS out="$WORK/wrk-$1.txt"
    (( conns < threads )) && threads=$conns
    log "$key: ${WARMUP}s warm-up + ${DURATION}s at c=$conns ($url)"
    timeout $((WARMUP + 60)) wrk -t"$threads" -c"$conns" -d"${WARMUP}s" --timeout 10s -s "$WORK/$script.lua" "$url" \
        >"$WORK/wrk-$key-warmup.txt" || die "wrk warm-up failed for $key"
    local cpu0 cpu1 m0 m1 c0 c1
    child_secs; c0=$CHILD_SECS
    procs_snapshot >"$WORK/procs-$key.before"
    cpu0="$(cpu_ticks "$TARGET_PID")"; m0="$(machine_ticks)"; ctx_snapshot "$TARGET_PID" >"$WORK/ctx-$key.before"
    timeout $((DURATION + 60)) wrk -t"$threads" -c"$conns" -d"${DURATION}s" --timeout 10s --latency \
        -s "$WORK/$script.lua" "$url" >"$out" || die "wrk failed for $key"
    cpu1="$(cpu_ticks "$TARGET_PID")"; m1="$(machine_ticks)"; ctx_snapshot "$TARGET_PID" >"$WORK/ctx-$key.after"; child_secs; c1=$CHILD_SECS
    procs_snapshot >"$WORK/procs-$key.after"
    OTHERS[$key]="$(top_others "$WORK/procs-$key.before" "$WORK/procs-$key.after")"
    # CPU used by anything but the server under test and wrk (other processes, the kernel's softirqs for loopback
    # traffic land on whoever is interrupted), and time stolen by the hypervisor: % of all CPUs, over the measurement.
    OTHER[$key]="$(awk -v m0="${m0% *}" -v m1="${m1% *}" -v s0="${m0#* }" -v s1="${m1#* }" -v srv=$((cpu1 - cpu0)) \
        -v w="$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')" -v hz="$HZ" -v d="$DURATION" -v n="$(nproc)" \
        'BEGIN { o = ((m1 - m0) - srv) / hz - w; if (o < 0) o = 0; printf "%.0f/%.0f", 100 * o / (d * n), 100 * (s1 - s0) / hz / (d * n) }')"
    RPS[$key]="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")"
    P50[$key]="$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
    P99[$key]="$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
    REQS[$key]="$(awk '/requests in/ { print $1 }' "$out")"
    CSW[$key]="$(awk -v x="$(ctx_delta "$WORK/ctx-$key.before" "$WORK/ctx-$key.after")" -v n="${REQS[$key]}" \
        'BEGIN { printf "%.1f", x / n }')"
    CPU_US[$key]="$(awk -v t=$((cpu1 - cpu0)) -v hz="$HZ" -v n="${REQS[$key]}" 'BEGIN { printf "%.0f", t / hz * 1e6 / n }')"
    ERRS[$key]="$(awk '/Non-2xx or 3xx responses:/ { e += $NF }
        /Socket errors:/ { gsub(",", ""); e += $4 + $6 + $8 + $10 } END { print e + 0 }' "$out")"
    [[ -n ${RPS[$key]} && ${P50[$key]} != nan && ${P99[$key]} != nan ]] || { cat "$out" >&2; die "cannot parse wrk's output for $key"; }
    log "$key: ${RPS[$key]} req/s, p50 ${P50[$key]} ms, p99 ${P99[$key]} ms, ${REQS[$key]} requests," \
        "${ERRS[$key]} errors, server CPU ${CPU_US[$key]} us/request, ${CSW[$key]} context switches/request," \
        "other/steal CPU ${OTHER[$key]} %${OTHERS[$key]:+ (}${OTHERS[$key]}${OTHERS[$key]:+)}"
    (( ${ERRS[$key]} == 0 )) || { cat "$out" >&2; log "warning: $key had ${ERRS[$key]} failed requests"; }
}

# --- 1. in-process DJL latency (nothing else of ours running) --------------------------------------------------------
log "in-process DJL latency: linear-v1.onnx, N=$N"
INPROC_OUT="$(timeout 300 java -cp "$APP_DIR/lib/main/*:$APP_DIR/app/*" "$HERE/InProcessLatency.java" \
    "$MODELS/linear-v1.onnx" "$N" 5000 "$WORK/djl-inprocess" 2>"$WORK/inprocess.log")" \
    || { cat "$WORK/inprocess.log" >&2; die "InProcessLatency failed"; }
log "$INPROC_OUT"
INPROC_P50_MS="$(sed -n 's/.* p50_us=\([0-9.]*\).*/\1/p' <<<"$INPROC_OUT" | awk '{ printf "%.4f", $1 / 1000 }')"
INPROC_P99_MS="$(sed -n 's/.* p99_us=\([0-9.]*\).*/\1/p' <<<"$INPROC_OUT" | awk '{ printf "%.4f", $1 / 1000 }')"
INPROC_ENGINE="$(sed -n 's/.* engine=//p' <<<"$INPROC_OUT")"
[[ -n $INPROC_P50_MS && -n $INPROC_P99_MS ]] || die "cannot parse: $INPROC_OUT"

# --- 2. Turnout ----------------------------------------------------------------------------------------------------
log "starting Turnout from $APP_DIR (app jar sha256 $APP_SHA) on $BASE, management on $MGMT, data in $WORK/data"
mkdir -p "$WORK/data"
(
    cd "$WORK"
    export TURNOUT_DATA_DIR="$WORK/data" TURNOUT_SERVING_DEFAULT_MODEL=linear
    unset QUARKUS_DATASOURCE_JDBC_URL
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
    exec java $JAVA_OPTS -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" \
        -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$MGMT_PORT" \
        -Dturnout.security.tokens.bench.sha256="$TOKEN_SHA" -Dturnout.security.tokens.bench.roles=publisher,operator,viewer \
        -Dquarkus.shutdown.delay-enabled=false -jar "$APP_DIR/quarkus-run.jar"
) >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
deadline=$((SECONDS + READY_TIMEOUT))
until curl -sf -o /dev/null --max-time 5 "$MGMT/q/health/ready"; do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -50 "$WORK/server.log" >&2; die "Turnout exited during start-up"; }
    (( SECONDS < deadline )) || { tail -50 "$WORK/server.log" >&2; die "Turnout not ready after ${READY_TIMEOUT}s"; }
    sleep 1
done
log "Turnout ready"

for model in linear:linear-v1.onnx mlp:mlp.onnx; do
    name=${model%%:*} file=${model#*:}
    version="$(curl -sS -f --max-time 60 "${AUTH[@]}" -F artifact=@"$MODELS/$file" "$BASE/api/models/$name/versions" \
        | jq -r .version)" \
        || die "uploading $file as $name failed"
    curl -sS -f --max-time 60 -o /dev/null "${AUTH[@]}" -X PUT -H 'Content-Type: application/json' -d "{\"version\":$version}" \
        "$BASE/api/models/$name/active" || die "activating $name v$version failed"
    log "$name v$version ($file) uploaded and active"
done
deadline=$((SECONDS + 60))
until curl -sf -o /dev/null --max-time 5 "$BASE/v2/models/linear/ready" && \
      curl -sf -o /dev/null --max-time 5 "$BASE/v2/models/mlp/ready"; do
    (( SECONDS < deadline )) || die "linear and mlp not both ready after 60s"
    sleep 0.5
done

# Correctness first: 3.0 -> 7.0 on both linear endpoints; mlp matches mlp-reference.json's second row.
got="$(post "$BASE/predict" "$BODY_PREDICT" | jq -c .prediction)" || die "POST /predict failed"
[[ $got == '[[7.0]]' || $got == '[[7]]' ]] || die "Turnout /predict answered $got, not [[7.0]]"
got="$(post "$BASE/v2/models/linear/infer" "$BODY_LINEAR" | jq -c '.outputs[0].data')" || die "linear infer failed"
[[ $got == '[7.0]' || $got == '[7]' ]] || die "Turnout linear infer answered $got, not [7.0]"
got="$(post "$BASE/v2/models/mlp/infer" "$BODY_MLP" | jq -c '.outputs[0].data')" || die "mlp infer failed"
jq -e --argjson got "$got" '[.outputs[1], $got] | transpose | all(.[0] - .[1] | fabs < 1e-4)' \
    "$MODELS/mlp-reference.json" >/dev/null || die "Turnout mlp infer answered $got, not mlp-reference.json's row 2"
log "Turnout answers correctly: /predict [[7.0]], linear [7.0], mlp $got"

TARGET_PID=$SERVER_PID
# JIT warm-up of the whole request path before the first measured row (each row still has its own warm-up too):
# JIT_WARMUP s on each endpoint. The JIT compiles while the load runs on the same 2 CPUs; with less than this, the
# first measured row came out far below its steady state.
for script in linear mlp predict; do
    url="$BASE/v2/models/$script/infer"; [[ $script == predict ]] && url="$BASE/predict"
    log "JIT warm-up: ${JIT_WARMUP}s at c=$CONNS on $url"
    timeout $((JIT_WARMUP + 60)) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${JIT_WARMUP}s" --timeout 10s -s "$WORK/$script.lua" \
        "$url" >"$WORK/wrk-jit-$script.txt" || die "wrk warm-up failed on $url"
done

scenario t_linear_hi "$BASE/v2/models/linear/infer" linear "$CONNS"
scenario t_mlp_hi "$BASE/v2/models/mlp/infer" mlp "$CONNS"
scenario t_predict_hi "$BASE/predict" predict "$CONNS"
scenario t_linear_1 "$BASE/v2/models/linear/infer" linear 1
scenario t_mlp_1 "$BASE/v2/models/mlp/infer" mlp 1
scenario t_predict_1 "$BASE/predict" predict 1
# Reference: the same HTTP stack with no request body, no JSON parsing and no model (a REST method returning a record).
scenario t_live_hi "$BASE/v2/health/live" get "$CONNS"
scenario t_live_1 "$BASE/v2/health/live" get 1

got="$(post "$BASE/predict" "$BODY_PREDICT" | jq -c .prediction)" || die "POST /predict failed after the load"
[[ $got == '[[7.0]]' || $got == '[[7]]' ]] || die "Turnout /predict answered $got after the load"
kill -0 "$SERVER_PID" 2>/dev/null || die "Turnout died"
SERVER_RSS="$(awk '$1 == "VmHWM:" { print int($2 / 1024) }' "/proc/$SERVER_PID/status")"
SERVER_ERRORS="$(grep -c -E ' ERROR ' "$WORK/server.log" || true)"
JAVA_VERSION="$(java -version 2>&1 | head -1)"
stop_server

# --- 3. Flask, the original design ------------------------------------------------------------------------------------
log "starting Flask (bench/flask_app.py, linear-v1.pt) on $FLASK"
(
    cd "$WORK"
    exec "$PYTHON" "$HERE/flask_app.py" "$MODELS/linear-v1.pt" "$FLASK_PORT"
) >"$WORK/flask.log" 2>&1 &
FLASK_PID=$!
deadline=$((SECONDS + 60))
until curl -s -o /dev/null --max-time 2 "$FLASK/"; do
    kill -0 "$FLASK_PID" 2>/dev/null || { tail -30 "$WORK/flask.log" >&2; die "Flask exited during start-up"; }
    (( SECONDS < deadline )) || { tail -30 "$WORK/flask.log" >&2; die "Flask not up after 60s"; }
    sleep 0.5
done
got="$(post "$FLASK/predict" "$BODY_PREDICT" | jq -c .prediction)" || die "Flask /predict failed"
[[ $got == '[[7.0]]' || $got == '[[7]]' ]] || die "Flask /predict answered $got, not [[7.0]]"
FLASK_CONNECTION="$(curl -sS --max-time 10 -o /dev/null -D - -H 'Content-Type: application/json' -d "$BODY_PREDICT" \
    "$FLASK/predict" | tr -d '\r' | sed -n 's/^[Cc]onnection: *//p')"
log "Flask answers correctly: /predict [[7.0]] (Connection: ${FLASK_CONNECTION:-keep-alive})"

TARGET_PID=$FLASK_PID
scenario f_predict_hi "$FLASK/predict" predict "$CONNS"
scenario f_predict_1 "$FLASK/predict" predict 1
got="$(post "$FLASK/predict" "$BODY_PREDICT" | jq -c .prediction)" || die "Flask /predict failed after the load"
[[ $got == '[[7.0]]' || $got == '[[7]]' ]] || die "Flask /predict answered $got after the load"
FLASK_VERSIONS="$("$PYTHON" -c 'import sys, flask, torch; print("Python %s, Flask %s, torch %s" % (sys.version.split()[0], flask.__version__, torch.__version__))')"
stop "$FLASK_PID" "Flask"
FLASK_PID=""

# --- 4. report ------------------------------------------------------------------------------------------------------
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
sub_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == ">=") ? v >= t : v <= t; print ok ? "met" : "NOT met" }'; }

THROUGHPUT_RATIO="$(div "${RPS[t_predict_hi]}" "${RPS[f_predict_hi]}")"
ADDED_PREDICT="$(sub_ms "${P50[t_predict_1]}" "$INPROC_P50_MS")"
ADDED_OIP="$(sub_ms "${P50[t_linear_1]}" "$INPROC_P50_MS")"

echo
echo "Serving throughput and latency: $STARTED, $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1))"
echo "wrk: ${WARMUP}s warm-up + ${DURATION}s measured per row (Turnout: after ${JIT_WARMUP}s of JIT warm-up on each inference"
echo "     endpoint); c=$CONNS with $WRK_THREADS wrk threads, c=1 with 1. Turnout keeps connections alive; Flask's Werkzeug server"
echo "     answers 'Connection: ${FLASK_CONNECTION:-keep-alive}' (so wrk reconnects per request there). wrk and the server under test"
echo "     share the machine's $(nproc) CPUs. Busy before the start: ${BUSY_BEFORE}%; load average before: $LOAD_BEFORE;"
echo "     after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Turnout: $JAVA_VERSION, server as packaged in ${APP_COPIED:-$APP_DIR} (app jar sha256 $APP_SHA), ONNX Runtime with 1 intra-op thread;"
echo "         peak RSS ${SERVER_RSS} MiB, ${SERVER_ERRORS} ERROR lines in its log."
echo "Flask:   $FLASK_VERSIONS, app.run(threaded=True)."
echo
printf '| %-40s | %5s | %9s | %9s | %9s | %9s | %6s | %13s | %7s | %11s |\n' "scenario" "conc" "req/s" "p50 ms" "p99 ms" \
    "requests" "errors" "server CPU" "csw/req" "other/steal"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' "------------------------------------------" "------:" "----------:" "----------:" \
    "----------:" "----------:" "-------:" "---------------:" "--------:" "------------:"
row() {
    printf '| %-40s | %5s | %9s | %9s | %9s | %9s | %6s | %6s us/req | %7s | %9s %% |\n' "$1" "$2" "${RPS[$3]}" "${P50[$3]}" \
        "${P99[$3]}" "${REQS[$3]}" "${ERRS[$3]}" "${CPU_US[$3]}" "${CSW[$3]}" "${OTHER[$3]}"
}
row "Turnout OIP v2 linear (ONNX)" "$CONNS" t_linear_hi
row "Turnout OIP v2 mlp (ONNX)" "$CONNS" t_mlp_hi
row "Turnout /predict linear (ONNX)" "$CONNS" t_predict_hi
row "Flask /predict linear (TorchScript)" "$CONNS" f_predict_hi
row "Turnout OIP v2 linear (ONNX)" 1 t_linear_1
row "Turnout OIP v2 mlp (ONNX)" 1 t_mlp_1
row "Turnout /predict linear (ONNX)" 1 t_predict_1
row "Flask /predict linear (TorchScript)" 1 f_predict_1
row "ref: Turnout GET /v2/health/live" "$CONNS" t_live_hi
row "ref: Turnout GET /v2/health/live" 1 t_live_1
printf '| %-40s | %5s | %9s | %9s | %9s | %9s | %6s | %13s | %7s | %11s |\n' "in-process DJL predict linear (ONNX)" 1 "-" \
    "$INPROC_P50_MS" "$INPROC_P99_MS" "$N" 0 "-" "-" "-"
echo
echo "In process: $INPROC_ENGINE via DJL's Predictor, float[] -> float[], one [1,1] FP32 prediction per call."
echo "server CPU = the server process's user + system CPU time during the measured ${DURATION}s / requests answered"
echo "(Turnout: the JVM, not its idle embedded PostgreSQL; Flask: the Python process). Latencies are wrk's, client side."
echo "csw/req = voluntary context switches of the server's threads per request: each one a thread that blocked and"
echo "had to be woken again (Flask's per-request threads have ended when counted, so its number is too low)."
echo "'ref' rows: a REST method with no request body and no model: the HTTP stack's own cost."
echo "other/steal = CPU used by everything except the server and wrk / CPU stolen by the hypervisor, % of all $(nproc) CPUs"
echo "during the measurement (a clean run shows small numbers; loopback softirqs and idle PostgreSQL land in 'other')."
for key in t_linear_hi t_mlp_hi t_predict_hi f_predict_hi t_linear_1 t_mlp_1 t_predict_1 f_predict_1 t_live_hi t_live_1; do
    if [[ -n ${OTHERS[$key]} ]]; then echo "  other processes during $key: ${OTHERS[$key]}"; fi
done
echo
printf '| %-62s | %9s | %11s | %-7s |\n' "summary" "value" "target" "verdict"
printf '|%s|%s|%s|%s|\n' "----------------------------------------------------------------" "----------:" "------------:" "---------"
printf '| %-62s | %8sx | %11s | %-7s |\n' "Turnout /predict req/s / Flask /predict req/s, c=$CONNS" "$THROUGHPUT_RATIO" ">= 20x" \
    "$(verdict "$THROUGHPUT_RATIO" 20 ">=")"
printf '| %-62s | %6s ms | %11s | %-7s |\n' "Turnout /predict p50 (c=1) - in-process p50: added latency" "$ADDED_PREDICT" "<= 0.25 ms" \
    "$(verdict "$ADDED_PREDICT" 0.25 "<=")"
printf '| %-62s | %6s ms | %11s | %-7s |\n' "Turnout OIP v2 linear p50 (c=1) - in-process p50" "$ADDED_OIP" "(same)" \
    "$(verdict "$ADDED_OIP" 0.25 "<=")"
printf '| %-62s | %8sx | %11s | %-7s |\n' "Flask /predict p50 / Turnout /predict p50, c=1" \
    "$(div "${P50[f_predict_1]}" "${P50[t_predict_1]}")" "-" "-"
