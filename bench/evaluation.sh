#!/usr/bin/env bash
# Evaluation benchmark (issue 11): a 1,000,000-row CSV evaluated by a server limited to -Xmx256m (streamed: the rows
# are never held), against the same model called in-process in batches on one thread (bench/InProcessBatches.java).
#
#   flock -o /tmp/turnout-mvn.lock flock -o /tmp/turnout-bench.lock bench/evaluation.sh
#
# What it does: makes ROWS rows (f1..f4, species; numpy, fixed seed) in its work dir, starts the packaged server
# (embedded PostgreSQL, filesystem-free defaults) with JAVA_OPTS (default -Xmx256m), uploads classifier-strong.onnx
# and the CSV as a dataset, POSTs an evaluation (classification, batch 256, turnout.evaluation.threads=1) and polls it
# until DONE; EVALUATIONS times (default 3), one after the other. Server rows/s = rows / (finished_at - started_at) of
# an evaluation (model load included): the first (cold JIT) and the median of all are printed, the ratio is taken with
# the median and shown for the first too. In-process rows/s = the median of PASSES (default 5) warm passes of
# InProcessBatches over the same rows, model calls alone (the issue's baseline); beside it, the median rows/s of the
# same thread reading the CSV itself and calling the model (what an in-process user pays; not the target's baseline).
# Prints the figures, the ratio (target >= 80 %) and the server's peak RSS.
#
# Environment (all optional): APP_DIR / SOURCE_APP as in bench/serving.sh; PORT (default 18190), MGMT_PORT (18192);
# ROWS (default 1000000); JAVA_OPTS (default -Xmx256m); EVALUATIONS (3); PASSES (5); KEEP=1 keeps the work dir.
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
PYTHON=/usr/bin/python3
MODEL="$REPO/src/test/resources/evaluation/classifier-strong.onnx"
BASE="http://127.0.0.1:$PORT"
MGMT="http://127.0.0.1:$MGMT_PORT"
READY_TIMEOUT=180

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

for tool in curl jq java; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
"$PYTHON" -c 'import numpy' 2>/dev/null || die "$PYTHON cannot import numpy (apt-get install python3-numpy)"
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

log "in-process baselines (1 warm-up + $PASSES passes, batch 256, one thread)"
java -cp "$APP_DIR/lib/main/*:$APP_DIR/app/*" "$HERE/InProcessBatches.java" "$MODEL" "$WORK/rows.csv" 256 "$PASSES" \
    "$WORK/djl-cache" 2>"$WORK/inprocess.log" >"$WORK/inprocess.out" \
    || { cat "$WORK/inprocess.log" >&2; die "InProcessBatches failed"; }
while read -r line; do log "$line"; done <"$WORK/inprocess.out"
INPROC="$(tail -1 "$WORK/inprocess.out")"
INPROC_RATE="$(sed -n 's/.* median rows_per_s=\([0-9]*\).*/\1/p' <<<"$INPROC")"
INPROC_CSV_RATE="$(sed -n 's/.* csv_rows_per_s=\([0-9]*\).*/\1/p' <<<"$INPROC")"
[[ -n $INPROC_RATE && -n $INPROC_CSV_RATE ]] || die "no median in: $INPROC"

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
curl -sS -f "${AUTH[@]}" -F artifact=@"$MODEL" "$BASE/api/models/bench-classifier/versions" >/dev/null \
    || die "model upload failed"
log "uploading the dataset"
curl -sS -f "${AUTH[@]}" -F data=@"$WORK/rows.csv" -F format=csv "$BASE/api/datasets/bench-rows/versions" \
    >"$WORK/dataset.json" || { cat "$WORK/dataset.json" >&2; die "dataset upload failed"; }
log "dataset: $(jq -c '{row_count, size_bytes}' "$WORK/dataset.json")"
PEAK_RSS=0
RATES=()
for run in $(seq 1 "$EVALUATIONS"); do
    location="$(curl -sS -f -D - -o /dev/null "${AUTH[@]}" -H 'Content-Type: application/json' \
        -d '{"dataset":"bench-rows","dataset_version":1,"task":"classification","inputs":{"x":["f1","f2","f3","f4"]},"label":"species"}' \
        "$BASE/api/models/bench-classifier/versions/1/evaluations" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')"
    [[ -n $location ]] || die "no Location"
    while :; do
        state="$(curl -sS -f "${AUTH[@]}" "$location" | tee "$WORK/evaluation.json" | jq -r .state)"
        rss="$(awk '/VmRSS/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)"
        (( rss > PEAK_RSS )) && PEAK_RSS=$rss
        [[ $state == DONE || $state == FAILED ]] && break
        sleep 0.5
    done
    [[ $state == DONE ]] || { jq . "$WORK/evaluation.json" >&2; die "evaluation $state"; }
    jq -c '{rows: .results.rows, refused: .results.rows_refused, metrics: .results.metrics, latency_ms: .results.latency_ms}' \
        "$WORK/evaluation.json"
    MILLIS="$("$PYTHON" -c "
import json, datetime
e = json.load(open('$WORK/evaluation.json'))
p = lambda s: datetime.datetime.fromisoformat(s.replace('Z', '+00:00'))
print(int((p(e['finished_at']) - p(e['started_at'])).total_seconds() * 1000))")"
    RATES+=("$(( ROWS * 1000 / MILLIS ))")
    log "evaluation $run: rows=$ROWS seconds=$(awk -v m="$MILLIS" 'BEGIN { printf "%.2f", m / 1000 }') rows_per_s=${RATES[-1]}"
done
FIRST_RATE=${RATES[0]}
SERVER_RATE="$(printf '%s\n' "${RATES[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }')"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f %%", 100 * a / b }'; }
echo "server ($JAVA_OPTS) rows=$ROWS evaluations=$EVALUATIONS rows_per_s: median=$SERVER_RATE first=$FIRST_RATE all=${RATES[*]} peak_rss_mib=$((PEAK_RSS / 1024))"
echo "in-process model calls rows_per_s=$INPROC_RATE (median of $PASSES); CSV + model calls rows_per_s=$INPROC_CSV_RATE"
echo "ratio server/in-process model calls = $(ratio "$SERVER_RATE" "$INPROC_RATE") (first evaluation: $(ratio "$FIRST_RATE" "$INPROC_RATE")) (target >= 80 %)"
echo "ratio server/in-process CSV + model calls = $(ratio "$SERVER_RATE" "$INPROC_CSV_RATE")"
echo "build: $(git -C "$REPO" rev-parse --short HEAD) app jar sha256 $APP_SHA; $(nproc) cores; $(java -version 2>&1 | head -1)"
