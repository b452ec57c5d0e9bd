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
# What it does: makes ROWS rows (f1..f4, species; numpy, fixed seed) in its work dir; for each model starts its
# in-process baseline (InProcessBatches: rows and model loaded once, one warm-up pass, then kept waiting); then starts
# the packaged server (embedded PostgreSQL, filesystem-free defaults) with JAVA_OPTS (default -Xmx256m), uploads the
# CSV as a dataset and each model, and for each model POSTs evaluations (classification, batch 256,
# turnout.evaluation.threads=1, ONNX Runtime intra-op threads 1), one after the other, each polled every POLL s until
# DONE. The server's first two evaluations are its warm-up (the first with a cold JIT): as many rows through the
# model as the baseline's warm-up pass (its model calls, then its CSV pass); shown, not counted. Then EVALUATIONS
# pairs (default 5): one baseline pass, then one evaluation, so the two figures of a pair are measured seconds apart
# and one at a time (the machine drifts by 10-15 % within a run). Once the server has stopped, ALONE_PASSES (5) more
# baseline passes in a row: the baseline as this bench measured it until 2026-12-07.
# Server rows/s = rows / (finished_at - started_at) of an evaluation (model load included); in-process rows/s = the
# model calls alone over rows parsed beforehand (the issue's baseline); beside it, the same thread reading the CSV
# itself and calling the model (what an in-process user pays; not the target's baseline). Per model it prints the
# median of the evaluations against the median of the paired passes and against the passes alone (the target,
# >= 80 %, is met only when both are), each pair's ratio, the cold evaluation's, and the per-row cost of the server and
# of the model calls in ns and their difference (the server's overhead a row); then a table of all models and the
# server's peak RSS (its VmHWM).
#
# Environment (all optional): APP_DIR / SOURCE_APP as in bench/serving.sh; PORT (default 18190), MGMT_PORT (18192);
# ROWS (default 1000000); MODELS ("strong mlp256"); JAVA_OPTS (default -Xmx256m); EVALUATIONS (pairs, 5);
# ALONE_PASSES (5); POLL (seconds between two looks at an evaluation, 2); KEEP=1 keeps the work dir.
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
EVALUATIONS="${EVALUATIONS:-5}"
ALONE_PASSES="${ALONE_PASSES:-5}"
POLL="${POLL:-2}"
MODELS="${MODELS:-strong mlp256}"
PYTHON=/usr/bin/python3
BASE="http://127.0.0.1:$PORT"
MGMT="http://127.0.0.1:$MGMT_PORT"
READY_TIMEOUT=180

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

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
declare -A BASE_PID
cleanup() {
    local rc=$?
    set +e
    stop_pid "$SERVER_PID" Turnout TERM 40
    for pid in "${BASE_PID[@]}"; do stop_pid "$pid" InProcessBatches TERM 10; done
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

declare -A MODEL_FILE MODEL_SHA INPROC_RATE INPROC_CSV_RATE SERVER_RATE FIRST_RATE ALL_RATES ALL_PASSES PAIR_RATIOS ALONE_RATE WARMUP_RATES METRICS
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

# One in-process baseline per model, kept running: it loads the rows and the model once, runs its warm-up pass now and
# then one pass each time it is asked, right before each server evaluation (below), so that the two figures compared
# are measured a few seconds apart, one at a time, and the machine's drift over the run (10-15 % here) is in both.
declare -A BASE_IN BASE_OUT
baseline_pass() { # name -> sets PASS_RATE and PASS_CSV_RATE
    local line
    echo pass >&"${BASE_IN[$1]}"
    read -r -t 600 line <&"${BASE_OUT[$1]}" || { cat "$WORK/inprocess-$1.log" >&2; die "InProcessBatches failed ($1)"; }
    PASS_RATE="$(sed -n 's/^pass rows_per_s=\([0-9]*\) .*/\1/p' <<<"$line")"
    PASS_CSV_RATE="$(sed -n 's/.* csv_rows_per_s=\([0-9]*\)$/\1/p' <<<"$line")"
    [[ -n $PASS_RATE && -n $PASS_CSV_RATE ]] || die "InProcessBatches printed: $line"
}
for name in "${MODEL_NAMES[@]}"; do
    mkfifo "$WORK/inprocess-$name.in" "$WORK/inprocess-$name.out"
    java -cp "$APP_DIR/lib/main/*:$APP_DIR/app/*" "$HERE/InProcessBatches.java" "${MODEL_FILE[$name]}" "$WORK/rows.csv" \
        256 "$WORK/djl-cache" <"$WORK/inprocess-$name.in" >"$WORK/inprocess-$name.out" 2>"$WORK/inprocess-$name.log" &
    BASE_PID[$name]=$!
    exec {fd}>"$WORK/inprocess-$name.in"
    BASE_IN[$name]=$fd
    exec {fd}<"$WORK/inprocess-$name.out"
    BASE_OUT[$name]=$fd
    read -r -t 300 line <&"${BASE_OUT[$name]}" || { cat "$WORK/inprocess-$name.log" >&2; die "InProcessBatches did not start ($name)"; }
    log "$name: in-process baseline $line, one thread; warm-up pass"
    baseline_pass "$name"
    log "$name: in-process warm-up pass rows_per_s=$PASS_RATE csv_rows_per_s=$PASS_CSV_RATE (not counted)"
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
evaluate() { # name -> sets EVAL_RATE (rows/s of one evaluation, from the server's started_at and finished_at)
    local name=$1 location state body millis
    location="$(curl -sS -f -D - -o /dev/null "${AUTH[@]}" -H 'Content-Type: application/json' \
        -d '{"dataset":"bench-rows","dataset_version":1,"task":"classification","inputs":{"x":["f1","f2","f3","f4"]},"label":"species"}' \
        "$BASE/api/models/bench-$name/versions/1/evaluations" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')"
    [[ -n $location ]] || die "no Location ($name)"
    # The wait costs the machine as little as it can: one curl every POLL seconds, read with bash's own builtins
    # (a curl | tee | jq | awk every 0.5 s took ~15 % of one of the two cores beside the evaluation). The time
    # measured is the server's own (started_at to finished_at), so the poll's period does not change it.
    while :; do
        sleep "$POLL"
        curl -sS -f -o "$WORK/evaluation.json" "${AUTH[@]}" "$location" || die "polling $location failed"
        body="$(<"$WORK/evaluation.json")"
        [[ $body =~ \"state\":\"([A-Z]+)\" ]] || die "no state in: $body"
        state=${BASH_REMATCH[1]}
        [[ $state == DONE || $state == FAILED ]] && break
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
    EVAL_RATE=$(( ROWS * 1000 / millis ))
    EVAL_SECONDS="$(awk -v m="$millis" 'BEGIN { printf "%.2f", m / 1000 }')"
}
for name in "${MODEL_NAMES[@]}"; do
    # The server's warm-up: as many rows through the model as the baseline's warm-up pass put through it (its model
    # calls and its CSV pass: 2 x ROWS), i.e. two evaluations, shown and not counted. The first is the cold one.
    warmups=()
    for run in 1 2; do
        evaluate "$name"
        warmups+=("$EVAL_RATE")
        log "$name: warm-up evaluation $run (not counted): seconds=$EVAL_SECONDS rows_per_s=$EVAL_RATE"
    done
    FIRST_RATE[$name]=${warmups[0]}
    WARMUP_RATES[$name]="${warmups[*]}"
    rates=() passes=() csv_passes=() pair_ratios=()
    for run in $(seq 1 "$EVALUATIONS"); do
        baseline_pass "$name"
        passes+=("$PASS_RATE") csv_passes+=("$PASS_CSV_RATE")
        evaluate "$name"
        rates+=("$EVAL_RATE")
        pair_ratios+=("$(awk -v a="$EVAL_RATE" -v b="$PASS_RATE" 'BEGIN { printf "%.1f", 100 * a / b }')")
        log "$name: pair $run: in-process rows_per_s=$PASS_RATE (csv $PASS_CSV_RATE), then evaluation seconds=$EVAL_SECONDS rows_per_s=$EVAL_RATE: ${pair_ratios[-1]} %"
    done
    ALL_RATES[$name]="${rates[*]}"
    ALL_PASSES[$name]="${passes[*]}"
    PAIR_RATIOS[$name]="${pair_ratios[*]}"
    SERVER_RATE[$name]="$(printf '%s\n' "${rates[@]}" | median)"
    INPROC_RATE[$name]="$(printf '%s\n' "${passes[@]}" | median)"
    INPROC_CSV_RATE[$name]="$(printf '%s\n' "${csv_passes[@]}" | median)"
done

# the kernel's high-water mark of the server's RSS over its whole life (no sampling)
PEAK_RSS="$(awk '$1 == "VmHWM:" { print int($2 / 1024) }' "/proc/$SERVER_PID/status")"
stop_pid "$SERVER_PID" Turnout TERM 40
SERVER_PID=""
# The baseline alone, once no server exists: ALONE_PASSES passes in a row, as this bench measured it until 2026-12-07
# (then before the server started).
for name in "${MODEL_NAMES[@]}"; do
    alone=()
    for pass in $(seq 1 "$ALONE_PASSES"); do
        baseline_pass "$name"
        alone+=("$PASS_RATE")
        log "$name: in-process pass $pass alone rows_per_s=$PASS_RATE csv_rows_per_s=$PASS_CSV_RATE"
    done
    ALONE_RATE[$name]="$(printf '%s\n' "${alone[@]}" | median)"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f %%", 100 * a / b }'; }
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (100 * a / b >= 80) ? "met" : "NOT met" }'; }
ns() { awk -v r="$1" 'BEGIN { printf "%.0f", 1e9 / r }'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b) ? a : b }'; }
overhead() { awk -v s="$1" -v m="$2" 'BEGIN { printf "%.0f", 1e9 / s - 1e9 / m }'; }
for name in "${MODEL_NAMES[@]}"; do
    s=${SERVER_RATE[$name]} m=${INPROC_RATE[$name]} c=${INPROC_CSV_RATE[$name]} a=${ALONE_RATE[$name]}
    echo "== $name (${MODEL_FILE[$name]##*/}, sha256 ${MODEL_SHA[$name]})"
    echo "server ($JAVA_OPTS) rows=$ROWS evaluations=$EVALUATIONS (after two warm-up ones) rows_per_s: median=$s all=${ALL_RATES[$name]}; warm-up evaluations (the first cold)=${WARMUP_RATES[$name]}"
    echo "in-process model calls rows_per_s=$m (median of $EVALUATIONS passes, each right before an evaluation: ${ALL_PASSES[$name]}); CSV + model calls rows_per_s=$c"
    echo "in-process model calls alone, after the server stopped: rows_per_s=$a (median of $ALONE_PASSES passes)"
    echo "ratio server/in-process model calls = $(ratio "$s" "$m") paired, $(ratio "$s" "$a") against the baseline alone (target >= 80 %, both: $(verdict "$s" "$(max "$m" "$a")")); pair by pair: ${PAIR_RATIOS[$name]} %; cold warm-up evaluation: $(ratio "${FIRST_RATE[$name]}" "$m")"
    echo "ns per row: server $(ns "$s"), model calls $(ns "$m"), server overhead (server - model calls) $(overhead "$s" "$m")"
    echo "ratio server/in-process CSV + model calls = $(ratio "$s" "$c")"
done
echo "== summary (rows/s; ratios against the in-process model calls alone, target >= 80 %)"
printf '%-8s %12s %12s %12s %8s %12s %8s %9s %9s %13s %12s %8s\n' model server cold model_calls ratio calls_alone ratio server_ns model_ns overhead_ns csv+model vs_csv
for name in "${MODEL_NAMES[@]}"; do
    s=${SERVER_RATE[$name]} m=${INPROC_RATE[$name]} c=${INPROC_CSV_RATE[$name]} a=${ALONE_RATE[$name]}
    printf '%-8s %12s %12s %12s %8s %12s %8s %9s %9s %13s %12s %8s\n' "$name" "$s" "${FIRST_RATE[$name]}" "$m" \
        "$(ratio "$s" "$m" | tr -d ' ')" "$a" "$(ratio "$s" "$a" | tr -d ' ')" "$(ns "$s")" "$(ns "$m")" "$(overhead "$s" "$m")" "$c" "$(ratio "$s" "$c" | tr -d ' ')"
done
echo "server peak_rss_mib=$PEAK_RSS ($JAVA_OPTS)"
echo "build: $(git -C "$REPO" rev-parse --short HEAD) app jar sha256 $APP_SHA; $(nproc) cores; $(java -version 2>&1 | head -1)"
