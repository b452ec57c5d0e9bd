#!/usr/bin/env bash
# Writes a start-up cache for the packaged server by a training run: the server starts once with the cache being
# recorded, turns ready (its request-path warm-up runs every active model's predictions through the real HTTP stack,
# see README "Readiness"), answers TRAIN_REQUESTS more predictions, and is stopped with SIGTERM, which writes the cache.
#
#   scripts/make-aot-cache.sh aot    target/quarkus-app target/quarkus-app/app.aot      # Java 25: AOT cache (JEP 483/514/515)
#   scripts/make-aot-cache.sh appcds target/quarkus-app target/quarkus-app/app-cds.jsa  # Java 17: dynamic AppCDS archive
#
# For the AOT cache, package the server as Quarkus' aot-jar (-Dquarkus.package.jar.type=aot-jar): with the default
# fast-jar, Quarkus' own class loader still reads every class but the JDK's from its jar and the JVM links them at
# start (ahead-of-time linking covers the JDK's built-in loaders only): 4.4 s to ready instead of 3.0 s here.
# Production then runs the same JVM build with the same jars: java -XX:AOTCache=app.aot -jar quarkus-run.jar (or
# -XX:SharedArchiveFile=app-cds.jsa). A cache made by another JDK build or for other jars is refused by the JVM with a
# warning and the server starts without it (slower, never wrong).
#
# Database: QUARKUS_DATASOURCE_* from the environment (an external PostgreSQL), else the embedded one in a temporary
# data directory. TRAIN_MODEL=file.onnx (optional) is uploaded and activated first when no model is active, so the
# predictions path is part of the training (needs a server that accepts the run's own token: it gets one).
# Environment: JAVA17, JAVA25 (the JVMs), HTTP_PORT (18290), MGMT_PORT (18292), TURNOUT_DATA_DIR (default: temporary),
# TRAIN_MODEL, TRAIN_REQUESTS (200), READY_TIMEOUT (120 s), TRAIN_SECONDS (15: then that long under `wrk -t2 -c32` on
# each served model's OIP v2 when wrk is installed, so the method profiles the cache keeps (JEP 515) are those of the
# request path under load, and C2 compiles it early in production; 0 skips).
set -Eeuo pipefail

KIND="${1:?usage: make-aot-cache.sh aot|appcds QUARKUS_APP_DIR OUTPUT}"
APP="${2:?quarkus-app directory}"
OUT="${3:?output file}"
JAVA17="${JAVA17:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}"
JAVA25="${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
HTTP_PORT="${HTTP_PORT:-18290}"
MGMT_PORT="${MGMT_PORT:-18292}"
TRAIN_REQUESTS="${TRAIN_REQUESTS:-200}"
TRAIN_SECONDS="${TRAIN_SECONDS:-15}"
READY_TIMEOUT="${READY_TIMEOUT:-120}"
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

case $KIND in
    aot) JAVA="$JAVA25"; RECORD=(-XX:AOTCacheOutput="$OUT") ;;
    appcds) JAVA="$JAVA17"; RECORD=(-XX:ArchiveClassesAtExit="$OUT") ;;
    *) die "kind must be aot or appcds, not $KIND" ;;
esac
[[ -f $APP/quarkus-run.jar ]] || die "no quarkus-run.jar in $APP"
rm -f "$OUT"
TMP="$(mktemp -d /tmp/turnout-aot-train.XXXXXX)"
DATA="${TURNOUT_DATA_DIR:-$TMP/data}"
TOKEN="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
TOKEN_SHA="$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)"
PID=""
cleanup() {
    [[ -n $PID ]] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT

log "training run: $JAVA ${RECORD[*]} ($APP)"
"$JAVA" "${RECORD[@]}" -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$HTTP_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$MGMT_PORT" -Dturnout.data-dir="$DATA" \
    -Dturnout.security.tokens.train.sha256="$TOKEN_SHA" -Dturnout.security.tokens.train.roles=publisher,operator \
    -Dquarkus.shutdown.delay-enabled=false -jar "$APP/quarkus-run.jar" >"$TMP/server.log" 2>&1 </dev/null &
PID=$!
deadline=$((SECONDS + READY_TIMEOUT))
until curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$MGMT_PORT/q/health/ready"; do
    kill -0 "$PID" 2>/dev/null || { tail -30 "$TMP/server.log" >&2; die "the server exited"; }
    ((SECONDS < deadline)) || { tail -30 "$TMP/server.log" >&2; die "not ready after ${READY_TIMEOUT}s"; }
    sleep 0.2
done
API="http://127.0.0.1:$HTTP_PORT"
active="$(curl -sf "http://127.0.0.1:$MGMT_PORT/q/health/ready" | jq -r '[.checks[] | (.data // {}) | keys[] | select(startswith("serving."))] | length')"
if [[ $active == 0 && -n ${TRAIN_MODEL:-} ]]; then
    log "no active model: uploading and activating $TRAIN_MODEL as 'training'"
    version="$(curl -sf -H "Authorization: Bearer $TOKEN" -F "artifact=@$TRAIN_MODEL" "$API/api/models/training/versions" \
        | jq -r .version)" || die "upload failed"
    curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -X PUT -H 'Content-Type: application/json' \
        -d "{\"version\":$version}" "$API/api/models/training/active" || die "activation failed"
fi
# A few more predictions on every served model (the warm-up has run already on those active at start).
for model in $(curl -sf "http://127.0.0.1:$MGMT_PORT/q/health/ready" \
    | jq -r '.checks[] | (.data // {}) | keys[] | select(startswith("serving.")) | sub("^serving\\."; "")'); do
    body="$(curl -sf "$API/v2/models/$model" | jq -c '{inputs: [.inputs[] | {name, datatype,
        shape: [.shape[] | if . < 0 then 1 else . end]} | .data = [range(reduce .shape[] as $d (1; . * $d))] | map(0)]}')"
    for _ in $(seq "$TRAIN_REQUESTS"); do
        curl -sf -o /dev/null -H 'Content-Type: application/json' -d "$body" "$API/v2/models/$model/infer" || true
    done
    log "$TRAIN_REQUESTS predictions on $model"
    if ((TRAIN_SECONDS > 0)) && command -v wrk >/dev/null; then
        printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[%s]==]\n' "$body" \
            >"$TMP/train.lua"
        wrk -t2 -c32 -d"${TRAIN_SECONDS}s" -s "$TMP/train.lua" "$API/v2/models/$model/infer" >"$TMP/wrk.txt" 2>&1 || true
        log "${TRAIN_SECONDS} s under wrk on $model: $(awk '/^Requests\/sec:/ { print $2 }' "$TMP/wrk.txt") req/s"
    fi
done
kill -TERM "$PID"
wait "$PID" || true
PID=""
[[ -s $OUT ]] || { tail -30 "$TMP/server.log" >&2; die "no cache written to $OUT"; }
log "wrote $OUT ($(du -h "$OUT" | cut -f1))"
