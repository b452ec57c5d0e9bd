#!/usr/bin/env bash
# Evaluation benchmark (issue 11): a 1,000,000-row CSV evaluated by a server limited to -Xmx256m (streamed: the rows
# are never held), against the same model called in-process in batches on one thread (bench/InProcessBatches.java),
# for each model in MODELS: the ratio depends on the server's per-row work against the model's own per-row cost, so
# the bench reports a model whose call is almost free and one of a size met in tabular serving, each against its own
# model calls alone.
#
#   flock -o /tmp/turnout-mvn.lock flock -o /tmp/turnout-bench.lock bench/evaluation.sh
#
# Models (MODELS, default "strong mlp256"), all x FP32 [-1, 4] -> probabilities FP32 [-1, 3], so the same CSV and the
# same evaluation request fit each:
#   strong   src/test/resources/evaluation/classifier-strong.onnx, MLP 4 -> 16 -> 3 (~110 multiply-adds a row);
#   mlpN     an MLP 4 -> N -> N -> 3 (mlp256: ~67,000 multiply-adds a row) written into the work dir at run time by
#            bench/make_mlp_onnx.py (numpy, fixed seed; its sha256 is printed).
# What it does: makes ROWS rows (f1..f4, species; numpy, fixed seed) in its work dir; for each model, the in-process
# baselines; then starts the packaged server (embedded PostgreSQL, filesystem-free defaults) with JAVA_OPTS (default
# -Xmx256m), uploads the CSV as a dataset and each model, and for each model POSTs an evaluation (classification,
# batch 256, turnout.evaluation.threads=1, ONNX Runtime intra-op threads 1) and polls it until DONE; EVALUATIONS times
# (default 3), one after the other. Server rows/s = rows / (finished_at - started_at) of an evaluation (model load
# included): the first (cold JIT) and the median of all are printed, the ratio is taken with the median and shown for
# the first too. In-process rows/s = the median of PASSES (default 5) warm passes of InProcessBatches over the same
# rows, model calls alone (the issue's baseline); beside it, the median rows/s of the same thread reading the CSV
# itself and calling the model (what an in-process user pays; not the target's baseline). Per model it prints the
# figures, the ratio (target >= 80 %), the per-row cost of the server and of the model calls in ns and their
# difference (the server's overhead a row); then a table of all models and the server's peak RSS.
#
# Environment (all optional): APP_DIR / SOURCE_APP as in bench/serving.sh; PORT (default 18190), MGMT_PORT (18192);
# ROWS (default 1000000); MODELS ("strong mlp256"); JAVA_OPTS (default -Xmx256m); EVALUATIONS (3); PASSES (5);
# KEEP=1 keeps the work dir.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
APP_DIR="${APP_DIR:-}"
SOURCE_APP="${SOURCE_APP:-$REPO/target/quarkus-app}"
PORT="${PORT:-18190}"
MGMT_PORT="${MGMT_PORT:-18192}"
ROWS="${ROWS:-1000000}"
JAVA_OPTS="${JAVA_OPTS:--Xmx256m}"
EVALUATIONS="${EVALUATIONS:-3}"
PASSES="${PASSES:-5}"
MODELS="${MODELS:-strong mlp256}"
PYTHON=/usr/bin/python3
BASE="http://127.0.0.1:$PORT"
MGMT="http://127.0.0.1:$MGMT_PORT"
READY_TIMEOUT=180

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

read -r -a MODEL_NAMES <<<"$MODELS"
(( ${#MODEL_NAMES[@]} > 0 )) || die "MODELS is empty"
for name in "${MODEL_NAMES[@]}"; do
    [[ $name == strong || $name =~ ^mlp[1-9][0-9]*$ ]] || die "unknown model $name (strong or mlpN, e.g. mlp256)"
done
for tool in curl jq java; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
"$PYTHON" -c 'import numpy' 2>/dev/null || ensure_debian_packages python3-numpy
if [[ -z $APP_DIR ]]; then
    [[ -f $SOURCE_APP/quarkus-run.jar ]] || die "no server at $SOURCE_APP (./mvnw package first, or set APP_DIR)"
fi

WORK="$(mktemp -d /tmp/turnout-evaluation.XXXXXX)"
SERVER_PID=""
APP_COPIED=""
cleanup() {
    local rc=$?
    set +e
    stop_pid "$SERVER_PID" Turnout TERM 40
    [[ -n $APP_COPIED ]] && rm -rf "$APP_DIR"
    if [[ ${KEEP:-0} == 1 || $rc != 0 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
prepare_server_copy
make_run_token

log "making $ROWS rows"
"$PYTHON" - "$WORK/rows.csv" "$ROWS" <<'PY'
import sys
import numpy as np
path, rows = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(11)
centers = np.array([[0.0, 0.0, 0.0, 0.0], [1.5, 1.0, -1.0, 0.5], [-1.0, 1.5, 1.0, -1.0]])
with open(path, "w") as f:
    f.write("f1,f2,f3,f4,species\n")
    for start in range(0, rows, 100000):
        n = min(100000, rows - start)
        labels = rng.integers(0, 3, n)
        x = np.round(centers[labels] + rng.normal(0.0, 0.9, (n, 4)), 4)
        f.writelines("%.4f,%.4f,%.4f,%.4f,%d\n" % (a, b, c, d, l) for (a, b, c, d), l in zip(x, labels))
PY
log "rows.csv: $(du -h "$WORK/rows.csv" | cut -f1)"

declare -A MODEL_FILE MODEL_SHA INPROC_RATE INPROC_CSV_RATE SERVER_RATE FIRST_RATE ALL_RATES METRICS
for name in "${MODEL_NAMES[@]}"; do
    if [[ $name == strong ]]; then
        MODEL_FILE[$name]="$REPO/src/test/resources/evaluation/classifier-strong.onnx"
    else
        MODEL_FILE[$name]="$WORK/$name.onnx"
        "$PYTHON" "$HERE/make_mlp_onnx.py" "${MODEL_FILE[$name]}" "${name#mlp}" | while read -r line; do log "$line"; done
        [[ -s ${MODEL_FILE[$name]} ]] || die "make_mlp_onnx.py wrote no model"
    fi
    MODEL_SHA[$name]="$(sha256sum "${MODEL_FILE[$name]}" | cut -c1-12)"
done

for name in "${MODEL_NAMES[@]}"; do
    log "$name: in-process baselines (1 warm-up + $PASSES passes, batch 256, one thread)"
    java -cp "$APP_DIR/lib/main/*:$APP_DIR/app/*" "$HERE/InProcessBatches.java" "${MODEL_FILE[$name]}" "$WORK/rows.csv" \
        256 "$PASSES" "$WORK/djl-cache" 2>"$WORK/inprocess-$name.log" >"$WORK/inprocess-$name.out" \
        || { cat "$WORK/inprocess-$name.log" >&2; die "InProcessBatches failed ($name)"; }
    while read -r line; do log "$name: $line"; done <"$WORK/inprocess-$name.out"
    inproc="$(tail -1 "$WORK/inprocess-$name.out")"
    INPROC_RATE[$name]="$(sed -n 's/.* median rows_per_s=\([0-9]*\).*/\1/p' <<<"$inproc")"
    INPROC_CSV_RATE[$name]="$(sed -n 's/.* csv_rows_per_s=\([0-9]*\).*/\1/p' <<<"$inproc")"
    [[ -n ${INPROC_RATE[$name]} && -n ${INPROC_CSV_RATE[$name]} ]] || die "no median in: $inproc"
done

log "starting Turnout ($JAVA_OPTS) from $APP_DIR (app jar $APP_SHA)"
mkdir -p "$WORK/data"
(
    cd "$WORK"
    export TURNOUT_DATA_DIR="$WORK/data"
    unset QUARKUS_DATASOURCE_JDBC_URL
    # shellcheck disable=SC2086
    exec java $JAVA_OPTS -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" \
        -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$MGMT_PORT" \
        -Dturnout.security.tokens.bench.sha256="$TOKEN_SHA" -Dturnout.security.tokens.bench.roles=publisher,operator,viewer \
        -Dquarkus.shutdown.delay-enabled=false -jar "$APP_DIR/quarkus-run.jar"
) >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
deadline=$((SECONDS + READY_TIMEOUT))
until curl -sf -o /dev/null --max-time 5 "$MGMT/q/health/ready"; do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -50 "$WORK/server.log" >&2; die "Turnout exited during start-up"; }
    (( SECONDS < deadline )) || { tail -50 "$WORK/server.log" >&2; die "not ready after ${READY_TIMEOUT}s"; }
    sleep 1
done
for name in "${MODEL_NAMES[@]}"; do
    curl -sS -f "${AUTH[@]}" -F artifact=@"${MODEL_FILE[$name]}" "$BASE/api/models/bench-$name/versions" >/dev/null \
        || die "model upload failed ($name)"
done
log "uploading the dataset"
upload_started=$(date +%s%N)
curl -sS -f "${AUTH[@]}" -F data=@"$WORK/rows.csv" -F format=csv "$BASE/api/datasets/bench-rows/versions" \
    >"$WORK/dataset.json" || { cat "$WORK/dataset.json" >&2; die "dataset upload failed"; }
# the upload parses a CSV's numeric columns once (turnout.datasets.parse-columns): its time is shown, not in the ratio
log "dataset: $(jq -c '{row_count, size_bytes}' "$WORK/dataset.json") uploaded in $(( ($(date +%s%N) - upload_started) / 1000000 )) ms"
PEAK_RSS=0
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
for name in "${MODEL_NAMES[@]}"; do
    rates=()
    for run in $(seq 1 "$EVALUATIONS"); do
        location="$(curl -sS -f -D - -o /dev/null "${AUTH[@]}" -H 'Content-Type: application/json' \
            -d '{"dataset":"bench-rows","dataset_version":1,"task":"classification","inputs":{"x":["f1","f2","f3","f4"]},"label":"species"}' \
            "$BASE/api/models/bench-$name/versions/1/evaluations" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')"
        [[ -n $location ]] || die "no Location ($name)"
        while :; do
            state="$(curl -sS -f "${AUTH[@]}" "$location" | tee "$WORK/evaluation.json" | jq -r .state)"
            rss="$(awk '/VmRSS/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)"
            (( rss > PEAK_RSS )) && PEAK_RSS=$rss
            [[ $state == DONE || $state == FAILED ]] && break
            sleep 0.5
        done
        [[ $state == DONE ]] || { jq . "$WORK/evaluation.json" >&2; die "evaluation $state ($name)"; }
        METRICS[$name]="$(jq -c '{rows: .results.rows, refused: .results.rows_refused, read_from: .results.rows_read_from, metrics: .results.metrics, latency_ms: .results.latency_ms}' \
            "$WORK/evaluation.json")"
        echo "$name: ${METRICS[$name]}"
        millis="$("$PYTHON" -c "
import json, datetime
e = json.load(open('$WORK/evaluation.json'))
p = lambda s: datetime.datetime.fromisoformat(s.replace('Z', '+00:00'))
print(int((p(e['finished_at']) - p(e['started_at'])).total_seconds() * 1000))")"
        rates+=("$(( ROWS * 1000 / millis ))")
        log "$name: evaluation $run: rows=$ROWS seconds=$(awk -v m="$millis" 'BEGIN { printf "%.2f", m / 1000 }') rows_per_s=${rates[-1]}"
    done
    FIRST_RATE[$name]=${rates[0]}
    ALL_RATES[$name]="${rates[*]}"
    SERVER_RATE[$name]="$(printf '%s\n' "${rates[@]}" | median)"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f %%", 100 * a / b }'; }
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (100 * a / b >= 80) ? "met" : "NOT met" }'; }
ns() { awk -v r="$1" 'BEGIN { printf "%.0f", 1e9 / r }'; }
overhead() { awk -v s="$1" -v m="$2" 'BEGIN { printf "%.0f", 1e9 / s - 1e9 / m }'; }
for name in "${MODEL_NAMES[@]}"; do
    s=${SERVER_RATE[$name]} m=${INPROC_RATE[$name]} c=${INPROC_CSV_RATE[$name]}
    echo "== $name (${MODEL_FILE[$name]##*/}, sha256 ${MODEL_SHA[$name]})"
    echo "server ($JAVA_OPTS) rows=$ROWS evaluations=$EVALUATIONS rows_per_s: median=$s first=${FIRST_RATE[$name]} all=${ALL_RATES[$name]}"
    echo "in-process model calls rows_per_s=$m (median of $PASSES); CSV + model calls rows_per_s=$c"
    echo "ratio server/in-process model calls = $(ratio "$s" "$m") (first evaluation: $(ratio "${FIRST_RATE[$name]}" "$m")) (target >= 80 %: $(verdict "$s" "$m"))"
    echo "ns per row: server $(ns "$s"), model calls $(ns "$m"), server overhead (server - model calls) $(overhead "$s" "$m")"
    echo "ratio server/in-process CSV + model calls = $(ratio "$s" "$c")"
done
echo "== summary (rows/s; ratios against the in-process model calls alone, target >= 80 %)"
printf '%-8s %12s %12s %12s %8s %9s %9s %13s %12s %8s\n' model server first model_calls ratio server_ns model_ns overhead_ns csv+model vs_csv
for name in "${MODEL_NAMES[@]}"; do
    s=${SERVER_RATE[$name]} m=${INPROC_RATE[$name]} c=${INPROC_CSV_RATE[$name]}
    printf '%-8s %12s %12s %12s %8s %9s %9s %13s %12s %8s\n' "$name" "$s" "${FIRST_RATE[$name]}" "$m" \
        "$(ratio "$s" "$m" | tr -d ' ')" "$(ns "$s")" "$(ns "$m")" "$(overhead "$s" "$m")" "$c" "$(ratio "$s" "$c" | tr -d ' ')"
done
echo "server peak_rss_mib=$((PEAK_RSS / 1024)) ($JAVA_OPTS)"
echo "build: $(git -C "$REPO" rev-parse --short HEAD) app jar sha256 $APP_SHA; $(nproc) cores; $(java -version 2>&1 | head -1)"
