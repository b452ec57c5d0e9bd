#!/usr/bin/env bash
# Heavy payloads benchmark (issue 16): ResNet-18 (input FP32 [1,3,224,224]) served over OIP v2 as JSON and as binary
# tensors, against the same ONNX model called in-process through DJL on as many threads, all in one run; plus the
# linear model at c=32 as bench/serving.sh measures it, to see that the JSON path did not get slower for small bodies.
#
#   flock -o /tmp/turnout-mvn.lock flock -o /tmp/turnout-bench.lock bench/heavy-payloads.sh
#
# What it does:
#   1. bench/resnet18.py makes ResNet-18 (random weights, fixed seed; ONNX opset 13, 45 MB; not committed), one image,
#      the OIP JSON body for it (0.9 MB, values with 3 decimals) and the binary body (JSON header + 602 kB of tensor).
#   2. In process (bench/InProcessThroughput.java): DJL + ONNX Runtime, 2 threads with a predictor each (the server's
#      defaults on 2 cores: inference-threads = predictors-per-model = cores), fed by 8 closed-loop callers.
#   3. The packaged server on a bench PostgreSQL (Debian's PostgreSQL 15, initdb'd for this run): ResNet-18 and
#      linear-v1.onnx uploaded and activated; answers checked (the same argmax as PyTorch, through JSON and binary).
#   4. wrk (POST bodies read from the files by a Lua script): OIP JSON and OIP binary on ResNet-18 at c=8, OIP JSON on
#      linear at c=32. Each row: WARMUP s discarded, DURATION s measured.
# Then the ratios binary / in-process (target >= 0.9) and JSON / in-process (target >= 0.75).
#
# Environment (all optional): APP_DIR (run this quarkus-app as it is) or SOURCE_APP (copied first; default
# target/quarkus-app), PORT (18190), MGMT_PORT (18192), PG_PORT (25542), WARMUP (10), DURATION (15), CONNS (8),
# LINEAR_CONNS (32), JAVA_OPTS, BUILD (what to call the build in the report; default the checked-out commit),
# KEEP=1 (keep the work dir). About 4 minutes.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
APP_DIR="${APP_DIR:-}"
SOURCE_APP="${SOURCE_APP:-$REPO/target/quarkus-app}"
PORT="${PORT:-18190}"
MGMT_PORT="${MGMT_PORT:-18192}"
PG_PORT="${PG_PORT:-25542}"
WARMUP="${WARMUP:-10}"
DURATION="${DURATION:-15}"
CONNS="${CONNS:-8}"
LINEAR_CONNS="${LINEAR_CONNS:-32}"
JAVA_OPTS="${JAVA_OPTS:-}"
PYTHON=/usr/bin/python3
PG_BIN=/usr/lib/postgresql/15/bin
PG_TIMEOUT=60
BASE="http://127.0.0.1:$PORT"
MGMT="http://127.0.0.1:$MGMT_PORT"

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

ensure_debian_packages curl jq wrk python3-torch python3-onnx python3-numpy postgresql
[[ -n $APP_DIR || -f $SOURCE_APP/quarkus-run.jar ]] || die "no server at $SOURCE_APP (./mvnw package first)"
for p in "$PORT" "$MGMT_PORT" "$PG_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "something already listens on 127.0.0.1:$p"; fi
done

WORK="$(mktemp -d /tmp/turnout-heavy.XXXXXX)"
chmod 711 "$WORK" # the postgres user must reach its data dir inside
PGDATA="$WORK/pg"
SERVER_PID=""
PG_STARTED=""
APP_COPIED=""
cleanup() {
    local rc=$?
    set +e
    stop_pid "$SERVER_PID" "Turnout" TERM 40
    if [[ -n $PG_STARTED ]]; then
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t "$PG_TIMEOUT" stop >/dev/null 2>&1
    fi
    [[ -n $APP_COPIED ]] && rm -rf "$APP_DIR"
    if [[ ${KEEP:-0} == 1 || $rc != 0 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

prepare_server_copy
make_run_token
STARTED="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- 1. the model and the bodies ------------------------------------------------------------------------------------
log "making ResNet-18 and its request bodies (bench/resnet18.py)"
"$PYTHON" "$HERE/resnet18.py" "$WORK/resnet" >"$WORK/resnet.log" 2>&1 || { cat "$WORK/resnet.log" >&2; die "resnet18.py failed"; }
RN="$WORK/resnet"
EXPECTED_ARGMAX="$(jq .argmax "$RN/expected.json")"
BIN_HEADER="$(cat "$RN/body.bin.header")"
lua() { # name file content-type [extra header line]
    cat >"$WORK/$1.lua" <<LUA
local f = assert(io.open("$2", "rb"))
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = "$3"
${4:-}
LUA
}
lua json "$RN/body.json" application/json
lua binary "$RN/body.bin" application/octet-stream "wrk.headers[\"Inference-Header-Content-Length\"] = \"$BIN_HEADER\""
printf '{"inputs":[{"name":"x","datatype":"FP32","shape":[1,1],"data":[3.0]}]}' >"$WORK/linear.json"
lua linear "$WORK/linear.json" application/json

# --- 2. in process --------------------------------------------------------------------------------------------------
log "in-process DJL: 2 threads, $CONNS callers, ${WARMUP}s warm-up + ${DURATION}s"
INPROC_OUT="$(timeout 300 java -cp "$APP_DIR/lib/main/*:$APP_DIR/app/*" "$HERE/InProcessThroughput.java" \
    "$RN/resnet18.onnx" "$RN/input.bin" 2 "$CONNS" "$WARMUP" "$DURATION" "$WORK/djl-inprocess" 2>"$WORK/inprocess.log")" \
    || { cat "$WORK/inprocess.log" >&2; die "InProcessThroughput failed"; }
log "$INPROC_OUT"
INPROC_RPS="$(sed -n 's/.* per_s=\([0-9.]*\).*/\1/p' <<<"$INPROC_OUT")"
[[ "$(sed -n 's/.* argmax=\([0-9]*\).*/\1/p' <<<"$INPROC_OUT")" == "$EXPECTED_ARGMAX" ]] \
    || die "in-process argmax differs from PyTorch's ($EXPECTED_ARGMAX)"

# --- 3. the server --------------------------------------------------------------------------------------------------
start_bench_postgres
log "starting Turnout from $APP_DIR (app jar sha256 $APP_SHA) on $BASE"
mkdir -p "$WORK/data"
(
    cd "$WORK"
    export TURNOUT_DATA_DIR="$WORK/data" QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres"
    export QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD=unused
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
    exec java $JAVA_OPTS -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" \
        -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$MGMT_PORT" \
        -Dturnout.security.tokens.bench.sha256="$TOKEN_SHA" -Dturnout.security.tokens.bench.roles=publisher,operator,viewer \
        -Dquarkus.shutdown.delay-enabled=false -jar "$APP_DIR/quarkus-run.jar"
) >"$WORK/server.log" 2>&1 </dev/null &
SERVER_PID=$!
deadline=$((SECONDS + 180))
until curl -sf -o /dev/null --max-time 5 "$MGMT/q/health/ready"; do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -50 "$WORK/server.log" >&2; die "Turnout exited during start-up"; }
    (( SECONDS < deadline )) || { tail -50 "$WORK/server.log" >&2; die "Turnout not ready after 180s"; }
    sleep 1
done
for model in "resnet18:$RN/resnet18.onnx" "linear:$REPO/src/test/resources/models/linear-v1.onnx"; do
    name=${model%%:*} file=${model#*:}
    version="$(curl -sS -f --max-time 300 "${AUTH[@]}" -F artifact=@"$file" "$BASE/api/models/$name/versions" | jq -r .version)" \
        || die "uploading $file as $name failed"
    curl -sS -f --max-time 120 -o /dev/null "${AUTH[@]}" -X PUT -H 'Content-Type: application/json' \
        -d "{\"version\":$version}" "$BASE/api/models/$name/active" || die "activating $name v$version failed"
    log "$name v$version uploaded and active"
done
deadline=$((SECONDS + 120))
until curl -sf -o /dev/null --max-time 5 "$BASE/v2/models/resnet18/ready" && curl -sf -o /dev/null --max-time 5 "$BASE/v2/models/linear/ready"; do
    (( SECONDS < deadline )) || die "the models are not ready after 120s"
    sleep 0.5
done

# Correctness: PyTorch's argmax through JSON and through binary; 7.0 from linear.
got="$(curl -sS -f --max-time 30 -H 'Content-Type: application/json' --data-binary @"$RN/body.json" \
    "$BASE/v2/models/resnet18/infer" | jq '.outputs[0].data | to_entries | max_by(.value) | .key')" || die "JSON infer failed"
[[ $got == "$EXPECTED_ARGMAX" ]] || die "JSON infer: argmax $got, PyTorch says $EXPECTED_ARGMAX"
curl -sS -f --max-time 30 -D "$WORK/bin.headers" -o "$WORK/bin.out" -H 'Content-Type: application/octet-stream' \
    -H "Inference-Header-Content-Length: $BIN_HEADER" --data-binary @"$RN/body.bin" "$BASE/v2/models/resnet18/infer" \
    || die "binary infer failed"
got="$("$PYTHON" - "$WORK/bin.out" "$(tr -d '\r' <"$WORK/bin.headers" | sed -n 's/^[Ii]nference-[Hh]eader-[Cc]ontent-[Ll]ength: *//p')" <<'PY'
import json, struct, sys
body = open(sys.argv[1], "rb").read(); n = int(sys.argv[2])
size = json.loads(body[:n])["outputs"][0]["parameters"]["binary_data_size"]
values = struct.unpack("<%df" % (size // 4), body[n:n + size])
print(max(range(len(values)), key=values.__getitem__))
PY
)" || die "cannot read the binary answer"
[[ $got == "$EXPECTED_ARGMAX" ]] || die "binary infer: argmax $got, PyTorch says $EXPECTED_ARGMAX"
got="$(curl -sS -f --max-time 10 -H 'Content-Type: application/json' --data-binary @"$WORK/linear.json" \
    "$BASE/v2/models/linear/infer" | jq -c '.outputs[0].data')"
[[ $got == '[7.0]' || $got == '[7]' ]] || die "linear answered $got"
log "answers correct: argmax $EXPECTED_ARGMAX through JSON and binary, linear [7.0]"

# --- 4. load ----------------------------------------------------------------------------------------------------------
to_ms() {
    awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", substr(v, 1, length(v) - 2) / 1000;
        else if (v ~ /ms$/) printf "%.2f", substr(v, 1, length(v) - 2); else if (v ~ /s$/) printf "%.2f", substr(v, 1, length(v) - 1) * 1000;
        else print "nan" }'
}
HZ="$(getconf CLK_TCK)"
declare -A RPS P50 P99 ERRS CPU_MS
scenario() { # key path lua conns
    local key=$1 url="$BASE$2" script="$WORK/$3.lua" conns=$4 out="$WORK/wrk-$1.txt" threads=2 c0 c1
    log "$key: ${WARMUP}s warm-up + ${DURATION}s at c=$conns ($url)"
    timeout $((WARMUP + 60)) wrk -t$threads -c"$conns" -d"${WARMUP}s" --timeout 10s -s "$script" "$url" >"$WORK/wrk-$key-warmup.txt" \
        || die "wrk warm-up failed for $key"
    c0="$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")"
    timeout $((DURATION + 60)) wrk -t$threads -c"$conns" -d"${DURATION}s" --timeout 10s --latency -s "$script" "$url" >"$out" \
        || die "wrk failed for $key"
    c1="$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")"
    RPS[$key]="$(awk '/^Requests\/sec:/ { printf "%.1f", $2 }' "$out")"
    P50[$key]="$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
    P99[$key]="$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
    ERRS[$key]="$(awk '/Non-2xx or 3xx responses:/ { e += $NF } /Socket errors:/ { gsub(",", ""); e += $4 + $6 + $8 + $10 } END { print e + 0 }' "$out")"
    local n; n="$(awk '/requests in/ { print $1 }' "$out")"
    CPU_MS[$key]="$(awk -v t=$((c1 - c0)) -v hz="$HZ" -v n="$n" 'BEGIN { printf "%.2f", t / hz * 1000 / n }')"
    log "$key: ${RPS[$key]} req/s, p50 ${P50[$key]} ms, p99 ${P99[$key]} ms, ${ERRS[$key]} errors, server CPU ${CPU_MS[$key]} ms/request"
    (( ${ERRS[$key]} == 0 )) || { cat "$out" >&2; die "$key had failed requests"; }
}
scenario binary /v2/models/resnet18/infer binary "$CONNS"
scenario json /v2/models/resnet18/infer json "$CONNS"
scenario linear /v2/models/linear/infer linear "$LINEAR_CONNS"
kill -0 "$SERVER_PID" 2>/dev/null || die "Turnout died"
SERVER_ERRORS="$(grep -c -E ' ERROR ' "$WORK/server.log" || true)"

# --- 5. report ----------------------------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t) ? "met" : "NOT met" }'; }
BIN_RATIO="$(ratio "${RPS[binary]}" "$INPROC_RPS")"
JSON_RATIO="$(ratio "${RPS[json]}" "$INPROC_RPS")"
echo
echo "Heavy payloads: $STARTED, $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)); load average before $LOAD_BEFORE"
echo "Turnout: $(java -version 2>&1 | head -1), app jar sha256 $APP_SHA (build: ${BUILD:-$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?') checked out}); bench PostgreSQL 15;"
echo "         ${SERVER_ERRORS} ERROR lines in its log. wrk (2 threads) shares the 2 CPUs with the server; ${WARMUP}s warm-up + ${DURATION}s per row."
echo "ResNet-18: ONNX opset 13, random weights (bench/resnet18.py), one image [1,3,224,224] FP32 per request;"
echo "           JSON body $(stat -c %s "$RN/body.json") bytes, binary body $(stat -c %s "$RN/body.bin") bytes (output y [1,1000] returned as binary)."
echo
printf '| %-44s | %4s | %9s | %8s | %8s | %14s |\n' scenario conc "req/s" "p50 ms" "p99 ms" "server CPU"
printf '|%s|%s|%s|%s|%s|%s|\n' "----------------------------------------------" "-----:" "----------:" "---------:" "---------:" "---------------:"
printf '| %-44s | %4s | %9s | %8s | %8s | %14s |\n' "in-process DJL ResNet-18, 2 threads" "$CONNS" "$INPROC_RPS" - - -
printf '| %-44s | %4s | %9s | %8s | %8s | %9s ms/req |\n' "Turnout OIP binary ResNet-18" "$CONNS" "${RPS[binary]}" "${P50[binary]}" "${P99[binary]}" "${CPU_MS[binary]}"
printf '| %-44s | %4s | %9s | %8s | %8s | %9s ms/req |\n' "Turnout OIP JSON ResNet-18" "$CONNS" "${RPS[json]}" "${P50[json]}" "${P99[json]}" "${CPU_MS[json]}"
printf '| %-44s | %4s | %9s | %8s | %8s | %9s ms/req |\n' "Turnout OIP JSON linear [1,1]" "$LINEAR_CONNS" "${RPS[linear]}" "${P50[linear]}" "${P99[linear]}" "${CPU_MS[linear]}"
echo
printf '| %-40s | %6s | %7s | %-7s |\n' summary value target verdict
printf '|%s|%s|%s|%s|\n' "------------------------------------------" "-------:" "--------:" "---------"
printf '| %-40s | %6s | %7s | %-7s |\n' "binary req/s / in-process per s" "$BIN_RATIO" ">= 0.9" "$(verdict "$BIN_RATIO" 0.9)"
printf '| %-40s | %6s | %7s | %-7s |\n' "JSON req/s / in-process per s" "$JSON_RATIO" ">= 0.75" "$(verdict "$JSON_RATIO" 0.75)"
