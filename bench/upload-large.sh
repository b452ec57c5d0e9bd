#!/usr/bin/env bash
# Large-upload benchmark, per artifact store (issues 2 and 12): a >= 1 GiB ONNX model uploaded through Turnout with
# the server's heap capped at 256 MiB, once for each store (postgres, filesystem, s3), beside physical baselines
# measured in the same run on the same file: cp, sha256sum, PostgreSQL's in-database lo_import()/lo_export(), an
# S3 client (aws s3 cp: multipart PUT, 10 parallel 8 MiB parts) to and from the same S3 server, and one signed curl
# PUT of the whole file to it (the server's own speed, without a multipart client).
#
#   flock -o /tmp/turnout-mvn.lock flock -o /tmp/turnout-bench.lock bench/upload-large.sh
#
# For each store the script starts the server (java -Xmx256m, fresh TURNOUT_DATA_DIR and embedded PostgreSQL) with
# turnout.artifacts.store set, uploads the model with curl -F (checks sha256 and size_bytes), downloads it through
# GET .../artifact (checks the bytes' sha256 and the ETag), then activates the version: the server's artifact cache is
# cold, so the version loader fetches the artifact from the store as a replica does (the s3 store in parallel ranged
# GETs) and verifies its sha256; the server logs that fetch's time ("Fetched artifact ..."), reported as "replica
# fetch". The s3 store runs against an S3-compatible server this script starts: by default npm s3rver (pinned, installed
# by this script with npm into target/s3rver; Node, objects as files, SigV4 checked), which takes a 1.1 GB curl PUT at
# 300-340 MB/s here; S3_SERVER=s3mock runs S3Mock (target/s3mock/s3mock.jar, as the tests use it) instead, which takes
# it at 160 MB/s and aws s3 cp at 41-48 MB/s, and bounds the s3 figure (bench/README.md, "Choosing the S3 server").
# Targets (issue 12): filesystem and s3 upload >= 100 MB/s and replica fetch >= 200 MB/s; postgres upload >= 0.8x
# lo_import(). Takes 4-6 minutes on 2 CPUs. Needs curl, jq, psql, jcmd, aws (CLI), python3-onnx + python3-numpy, and
# for the s3 store npm (s3rver) or the S3Mock jar.
#
# Environment (all optional):
#   STORES     the stores to run, in order (default "postgres filesystem s3")
#   APP_DIR    run this built server as it is (a quarkus-app directory); by default a copy of SOURCE_APP
#   SOURCE_APP default target/quarkus-app of this repo (./mvnw package)
#   S3_SERVER  s3rver (default) or s3mock: the S3-compatible server for the s3 store and the S3 client baselines
#   PORT, MGMT_PORT, S3_PORT   127.0.0.1 ports (default 18080, 18081, 18090)
#   SIZE_MIB   model size in MiB (default 1100); HEAP the server's -Xmx (default 256m)
#   SERVER_OPTS  more JVM options for the server, e.g. "-Dturnout.artifacts.s3.part-size=64M" (default none)
#   MODEL      use this existing .onnx instead of generating one (it is not deleted)
#   UPLOAD     stream (default): curl -T, the raw body as application/octet-stream, hashed while it arrives;
#              multipart: curl -F, the multipart form (the framework spools the part, then it is hashed)
#   SERVER_GLIBC_TUNABLES  the server's GLIBC_TUNABLES (default glibc.malloc.hugetlb=1, as src/main/docker sets it:
#              ONNX Runtime's copies of a large model then fault in 2 MiB pages; "" runs without)
#   WORK_ROOT  where the temporary work dir goes (default /tmp); KEEP=1 keeps it (server logs, timelines)
#
# Everything talks to 127.0.0.1 only. Every wait is bounded. Servers are stopped (SIGTERM) and the temporary data
# deleted on exit, also on failure; each store's data (its server's data directory, the filesystem store's files) is
# deleted as soon as its step ends, so no step runs beside the GBs an earlier one wrote.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
STORES="${STORES:-postgres filesystem s3}"
APP_DIR="${APP_DIR:-}"
SOURCE_APP="${SOURCE_APP:-$REPO/target/quarkus-app}"
PORT="${PORT:-18080}"
MGMT_PORT="${MGMT_PORT:-18081}"
S3_PORT="${S3_PORT:-18090}"
SIZE_MIB="${SIZE_MIB:-1100}"
UPLOAD="${UPLOAD:-stream}"
SERVER_GLIBC_TUNABLES="${SERVER_GLIBC_TUNABLES-glibc.malloc.hugetlb=1}"
HEAP="${HEAP:-256m}"
WORK_ROOT="${WORK_ROOT:-/tmp}"
PYTHON=/usr/bin/python3 # Debian's, with python3-onnx and python3-numpy
S3_SERVER="${S3_SERVER:-s3rver}"
S3RVER_VERSION=3.7.1
S3RVER_DIR="${S3RVER_DIR:-$REPO/target/s3rver}"
S3MOCK_JAR="${S3MOCK_JAR:-$REPO/target/s3mock/s3mock.jar}"
BASE="http://127.0.0.1:$PORT"
MGMT="http://127.0.0.1:$MGMT_PORT"
S3_URL="http://127.0.0.1:$S3_PORT"
BUCKET=turnout

READY_TIMEOUT=180      # s, server start until /q/health/ready
UPLOAD_TIMEOUT=1800    # s, each big transfer
LOAD_TIMEOUT=600       # s, activation until the version serves
STOP_TIMEOUT=60        # s, SIGTERM until exit

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

ensure_debian_packages curl jq postgresql-client-15 python3-onnx python3-numpy
for tool in curl jq psql jcmd java sha256sum awk aws; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
[[ -x $PYTHON ]] || die "$PYTHON is missing"
if [[ -n $APP_DIR ]]; then
    [[ -f $APP_DIR/quarkus-run.jar ]] || die "no server at APP_DIR=$APP_DIR"
else
    [[ -f $SOURCE_APP/quarkus-run.jar ]] || die "no server at $SOURCE_APP (./mvnw package first, or set SOURCE_APP or APP_DIR)"
fi
[[ $UPLOAD == stream || $UPLOAD == multipart ]] || die "UPLOAD is stream or multipart, not $UPLOAD"
[[ $S3_SERVER == s3rver || $S3_SERVER == s3mock ]] || die "S3_SERVER is s3rver or s3mock, not $S3_SERVER"
[[ $STORES != *s3* || $S3_SERVER != s3mock || -f $S3MOCK_JAR ]] \
    || die "$S3MOCK_JAR is missing (./mvnw generate-test-resources copies it)"
[[ $STORES != *s3* || $S3_SERVER != s3rver ]] || command -v npm >/dev/null || die "npm is not installed (for s3rver)"
for p in "$PORT" "$MGMT_PORT" "$S3_PORT"; do
    if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$p/"; then die "something already answers on port $p"; fi
done

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
WORK="$(mktemp -d "$WORK_ROOT/turnout-upload-bench.XXXXXX")"
SERVER_PID=""
S3_PID=""
APP_COPIED=""
DATA=""

stop_server() {
    [[ -n $SERVER_PID ]] || return 0
    stop_pid "$SERVER_PID" server TERM "$STOP_TIMEOUT"
    SERVER_PID=""
    # The embedded PostgreSQL is the server's child; should it outlive the server, stop that one postmaster.
    local pidfile="$DATA/postgres/postmaster.pid" pgpid
    if [[ -f $pidfile ]]; then
        pgpid="$(head -1 "$pidfile")"
        if [[ -n $pgpid ]] && kill -0 "$pgpid" 2>/dev/null; then
            log "embedded PostgreSQL (pid $pgpid) outlived the server: stopping it"
            kill -TERM "$pgpid"
            for _ in $(seq 100); do kill -0 "$pgpid" 2>/dev/null || break; sleep 0.2; done
            kill -0 "$pgpid" 2>/dev/null && kill -KILL "$pgpid"
        fi
    fi
}
cleanup() {
    local rc=$?
    set +e
    stop_server
    stop_pid "$S3_PID" "$S3_SERVER" TERM 30
    [[ -n $APP_COPIED ]] && rm -rf "$APP_DIR" # the server copy: never kept
    if [[ ${KEEP:-0} == 1 ]]; then
        rm -rf "$WORK"/store-* "$WORK"/s3server/data "$WORK"/postgres "$WORK"/filesystem "$WORK"/s3 "$WORK"/large.onnx # GiBs
        log "kept $WORK (logs)"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

prepare_server_copy
make_run_token

# --- 1. the model and the machine's baselines -----------------------------------------------------------------------
if [[ -n ${MODEL:-} ]]; then
    [[ -f $MODEL ]] || die "MODEL=$MODEL does not exist"
else
    MODEL="$WORK/large.onnx"
    log "generating a ${SIZE_MIB} MiB ONNX model"
    timeout 1200 "$PYTHON" "$HERE/make_large_onnx.py" "$MODEL" "$SIZE_MIB" >&2
fi
SIZE="$(stat -c %s "$MODEL")"
(( SIZE >= 1 << 30 )) || log "warning: the model is $SIZE bytes, under 1 GiB"
cat "$MODEL" >/dev/null # in the page cache, as it is for every measurement below

t0=$(now); EXPECTED="$(timeout 600 sha256sum "$MODEL" | cut -d' ' -f1)"; t1=$(now)
T_SHA=$(secs "$t0" "$t1")
sync
t0=$(now); timeout 600 cp "$MODEL" "$WORK/copy.onnx"; t1=$(now)
T_CP=$(secs "$t0" "$t1")
rm -f "$WORK/copy.onnx"; sync
log "model: $SIZE bytes, sha256 $EXPECTED; sha256sum ${T_SHA}s, cp ${T_CP}s"

# --- 2. the S3 server and the S3 client baselines -------------------------------------------------------------------
start_s3rver() {
    if [[ ! -x $S3RVER_DIR/node_modules/.bin/s3rver ]]; then
        log "installing npm s3rver@$S3RVER_VERSION into $S3RVER_DIR"
        mkdir -p "$S3RVER_DIR"
        timeout 300 npm install --prefix "$S3RVER_DIR" --no-audit --no-fund --silent "s3rver@$S3RVER_VERSION" >&2 \
            || die "npm install s3rver@$S3RVER_VERSION failed"
    fi
    # --configure-bucket creates the bucket; s3rver checks SigV4 signatures against its fixed key pair S3RVER/S3RVER
    node "$S3RVER_DIR/node_modules/.bin/s3rver" -d "$WORK/s3server/data" -a 127.0.0.1 -p "$S3_PORT" --silent \
        --configure-bucket "$BUCKET" >"$WORK/s3server/server.log" 2>&1 &
    S3_PID=$!
    S3_KEY=S3RVER
}
start_s3mock() {
    java -Xmx512m -jar "$S3MOCK_JAR" --com.adobe.testing.s3mock.httpPort="$S3_PORT" --server.port=0 \
        --com.adobe.testing.s3mock.store.initialBuckets="$BUCKET" \
        --com.adobe.testing.s3mock.store.root="$WORK/s3server/data" >"$WORK/s3server/server.log" 2>&1 &
    S3_PID=$!
    S3_KEY=test
}
if [[ $STORES == *s3* ]]; then
    mkdir -p "$WORK/s3server/data"
    log "starting $S3_SERVER on $S3_URL"
    "start_$S3_SERVER"
    deadline=$((SECONDS + 90))
    until curl -s -o /dev/null --max-time 2 "$S3_URL/"; do
        kill -0 "$S3_PID" 2>/dev/null || { tail -30 "$WORK/s3server/server.log" >&2; die "$S3_SERVER exited"; }
        (( SECONDS < deadline )) || die "$S3_SERVER not ready after 90 s"
        sleep 0.5
    done
    export AWS_ACCESS_KEY_ID=$S3_KEY AWS_SECRET_ACCESS_KEY=$S3_KEY AWS_DEFAULT_REGION=us-east-1
    # checksums only where S3 requires them, as the s3 store asks for (the CLI's default trailing CRC32 is refused by
    # some S3-compatible servers)
    export AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required
    export AWS_CONFIG_FILE="$WORK/aws.config"
    printf '[default]\ns3 =\n    addressing_style = path\n' >"$AWS_CONFIG_FILE"
    awss3() { timeout "$UPLOAD_TIMEOUT" aws --endpoint-url "$S3_URL" s3 "$@" >/dev/null; }
    t0=$(now); awss3 cp "$MODEL" "s3://$BUCKET/baseline.onnx"; t1=$(now)
    T_S3PUT=$(secs "$t0" "$t1")
    t0=$(now); awss3 cp "s3://$BUCKET/baseline.onnx" "$WORK/s3get.onnx"; t1=$(now)
    T_S3GET=$(secs "$t0" "$t1")
    [[ $(stat -c %s "$WORK/s3get.onnx") == "$SIZE" ]] || die "aws s3 cp GET wrote the wrong number of bytes"
    rm -f "$WORK/s3get.onnx"
    awss3 rm "s3://$BUCKET/baseline.onnx"
    # One signed PUT of the whole file in one request (curl streams it; the payload is not hashed for the signature):
    # the server's own speed without a multipart client's overhead.
    t0=$(now)
    code="$(curl -sS -o "$WORK/s3server/put.out" --max-time "$UPLOAD_TIMEOUT" -w '%{http_code}' \
        --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_KEY:$S3_KEY" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
        -H 'Expect:' -T "$MODEL" "$S3_URL/$BUCKET/baseline-curl.onnx")" || die "curl PUT to $S3_SERVER failed"
    t1=$(now)
    [[ $code == 200 ]] || { cat "$WORK/s3server/put.out" >&2; die "curl PUT to $S3_SERVER answered $code"; }
    T_S3CURL=$(secs "$t0" "$t1")
    awss3 rm "s3://$BUCKET/baseline-curl.onnx"
    log "aws s3 cp: PUT ${T_S3PUT}s, GET ${T_S3GET}s; curl PUT ${T_S3CURL}s"
fi

# --- 3. one server per store ----------------------------------------------------------------------------------------
psql_q() { # one statement against the current server's embedded PostgreSQL
    timeout "$UPLOAD_TIMEOUT" psql -X -q -t -A -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres "$@"
}

start_server() { # store
    local store=$1 args=()
    DATA="$WORK/$store"
    SERVER_LOG="$DATA.log"
    mkdir -p "$DATA"
    case $store in
        postgres) args=(-Dturnout.artifacts.store=postgres) ;;
        filesystem) mkdir -p "$WORK/store-fs"
            args=(-Dturnout.artifacts.store=filesystem -Dturnout.artifacts.filesystem.path="$WORK/store-fs") ;;
        s3) args=(-Dturnout.artifacts.store=s3 -Dturnout.artifacts.s3.bucket="$BUCKET"
            -Dturnout.artifacts.s3.endpoint="$S3_URL" -Dturnout.artifacts.s3.path-style=true) ;;
        *) die "unknown store $store" ;;
    esac
    log "[$store] starting the server (app jar $APP_SHA) with -Xmx$HEAP, data in $DATA"
    (
        cd "$WORK"
        export TURNOUT_DATA_DIR="$DATA" AWS_ACCESS_KEY_ID="${S3_KEY:-test}" AWS_SECRET_ACCESS_KEY="${S3_KEY:-test}"
        if [[ -n $SERVER_GLIBC_TUNABLES ]]; then export GLIBC_TUNABLES="$SERVER_GLIBC_TUNABLES"; fi
        unset QUARKUS_DATASOURCE_JDBC_URL
        exec java -Xmx"$HEAP" -Xlog:gc:file="$DATA.gc.log" \
            -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" \
            -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$MGMT_PORT" \
            -Dturnout.security.tokens.bench.sha256="$TOKEN_SHA" \
            -Dturnout.security.tokens.bench.roles=publisher,operator,viewer "${args[@]}" ${SERVER_OPTS:-} \
            -jar "$APP_DIR/quarkus-run.jar"
    ) >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    local deadline=$((SECONDS + READY_TIMEOUT))
    until curl -sf -o /dev/null --max-time 5 "$MGMT/q/health/ready"; do
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -50 "$SERVER_LOG" >&2; die "the server exited during start-up"; }
        (( SECONDS < deadline )) || { tail -50 "$SERVER_LOG" >&2; die "not ready after ${READY_TIMEOUT}s"; }
        sleep 1
    done
    PGPORT="$(sed -n 's/.*started embedded PostgreSQL on port \([0-9]*\).*/\1/p' "$SERVER_LOG" | head -1)"
    [[ -n $PGPORT ]] || die "no 'started embedded PostgreSQL on port' line in $SERVER_LOG"
    local max_heap
    max_heap="$(timeout 60 jcmd "$SERVER_PID" VM.flags | tr ' ' '\n' | sed -n 's/^-XX:MaxHeapSize=//p')"
    [[ $((max_heap / 1048576))m == "$HEAP" ]] || die "MaxHeapSize is $max_heap, not $HEAP"
    # One tiny upload first, so ONNX Runtime's one-time start-up is not billed to the big upload.
    curl -sS -f -o /dev/null --max-time 120 "${AUTH[@]}" \
        -F artifact=@"$REPO/src/test/resources/models/linear-v1.onnx" "$BASE/api/models/bench-warmup/versions" \
        || die "the warm-up upload failed"
}

declare -A PHASES T_UPLOAD T_RECEIVED T_DOWNLOAD T_FETCH T_VERIFY HEAP_PEAK
run_store() { # store
    local store=$1 name="bench-large" code body version t0 t1 line after
    start_server "$store"
    # the dirty pages the run wrote so far (the S3 client baselines alone write 3.3 GB, each store's download 1.1 GB) are
    # flushed first, as before cp: their writeback is not this upload's work
    sync
    log "[$store] uploading $SIZE bytes ($UPLOAD)"
    local body=(-F artifact=@"$MODEL")
    # -T streams the file (--data-binary would read it into memory first); no Expect: 100-continue round trip
    [[ $UPLOAD == stream ]] && body=(-T "$MODEL" -X POST -H 'Content-Type: application/octet-stream' -H 'Expect:')
    t0=$(now)
    code="$(curl -sS -o "$DATA.upload.json" --max-time "$UPLOAD_TIMEOUT" -w '%{http_code}' "${AUTH[@]}" \
        "${body[@]}" "$BASE/api/models/$name/versions")" || die "curl failed"
    t1=$(now)
    [[ $code == 201 ]] || { cat "$DATA.upload.json" >&2; tail -30 "$SERVER_LOG" >&2; die "[$store] upload answered $code"; }
    [[ $(jq -r .sha256 "$DATA.upload.json") == "$EXPECTED" ]] || die "[$store] the server's sha256 is not sha256sum's"
    [[ $(jq -r .size_bytes "$DATA.upload.json") == "$SIZE" ]] || die "[$store] the server's size_bytes is not $SIZE"
    version="$(jq -r .version "$DATA.upload.json")"
    T_UPLOAD[$store]=$(secs "$t0" "$t1")
    # The server's own split of the time after receiving: proof, and beside it hash + store write. The receive is the
    # rest: nothing samples the spool while the upload runs (a find | awk every 0.1 s took ~26 % of one of the two
    # CPUs the upload is bound by).
    PHASES[$store]="$(grep -m1 "Registered $name version $version" "$SERVER_LOG" | sed -n 's/.*) \([0-9]* ms after the spool.*\)/\1/p')"
    after="$(sed -n 's/^\([0-9]*\) ms after the spool.*/\1/p' <<<"${PHASES[$store]}")"
    T_RECEIVED[$store]=$([[ -n $after ]] && awk -v u="${T_UPLOAD[$store]}" -v a="$after" 'BEGIN { printf "%.2f", u - a / 1000 }' || echo "n/a")
    log "[$store] upload: ${T_UPLOAD[$store]}s (spool complete after ${T_RECEIVED[$store]}s)"
    if [[ -n ${PHASES[$store]} ]]; then log "[$store] server: ${PHASES[$store]}"; fi

    t0=$(now)
    code="$(curl -sS -D "$DATA.headers" -o "$WORK/download.onnx" --max-time "$UPLOAD_TIMEOUT" -w '%{http_code}' \
        "${AUTH[@]}" "$BASE/api/models/$name/versions/$version/artifact")" || die "curl failed"
    t1=$(now)
    [[ $code == 200 ]] || die "[$store] download answered $code"
    T_DOWNLOAD[$store]=$(secs "$t0" "$t1")
    [[ $(sha256sum "$WORK/download.onnx" | cut -d' ' -f1) == "$EXPECTED" ]] || die "[$store] downloaded bytes differ"
    [[ $(tr -d '\r' <"$DATA.headers" | sed -n 's/^[Ee][Tt][Aa][Gg]: *//p') == "\"$EXPECTED\"" ]] || die "[$store] wrong ETag"
    rm -f "$WORK/download.onnx"
    log "[$store] download: ${T_DOWNLOAD[$store]}s"

    # The replica fetch: activating the version makes this server's (cold) artifact cache fetch it from the store.
    curl -sS -f -o /dev/null --max-time "$LOAD_TIMEOUT" "${AUTH[@]}" -X PUT -H 'Content-Type: application/json' \
        -d "{\"version\": $version, \"reason\": \"bench\"}" "$BASE/api/models/$name/active" || die "[$store] flip failed"
    local deadline=$((SECONDS + LOAD_TIMEOUT))
    until grep -q "Loaded $name version $version" "$SERVER_LOG"; do
        (( SECONDS < deadline )) || { tail -30 "$SERVER_LOG" >&2; die "[$store] the version did not load within ${LOAD_TIMEOUT}s"; }
        sleep 0.5
    done
    if line="$(grep -m1 "Fetched artifact $EXPECTED" "$SERVER_LOG")"; then
        T_FETCH[$store]="$(sed -n 's/.* store in \([0-9]*\) ms.*/\1/p' <<<"$line" | awk '{ printf "%.2f", $1 / 1000 }')"
        T_VERIFY[$store]="$(sed -n 's/.*verified its sha256 in \([0-9]*\) ms.*/\1/p' <<<"$line" | awk '{ printf "%.2f", $1 / 1000 }')"
    else # a build before the "Fetched artifact" log line
        T_FETCH[$store]=n/a; T_VERIFY[$store]=n/a
    fi
    log "[$store] replica fetch: ${T_FETCH[$store]}s + sha256 check ${T_VERIFY[$store]}s"

    if [[ $store == postgres ]]; then # the in-database baselines, in this same PostgreSQL
        psql_q -c 'CHECKPOINT' >/dev/null
        t0=$(now); local oid; oid="$(psql_q -c "SELECT lo_import('$MODEL')")"; t1=$(now)
        T_LOIMP=$(secs "$t0" "$t1")
        t0=$(now); psql_q -c "SELECT lo_export($oid, '$WORK/export.onnx')" >/dev/null; t1=$(now)
        T_LOEXP=$(secs "$t0" "$t1")
        [[ $(stat -c %s "$WORK/export.onnx") == "$SIZE" ]] || die "lo_export() wrote the wrong number of bytes"
        rm -f "$WORK/export.onnx"
        psql_q -c "SELECT lo_unlink($oid)" >/dev/null
        log "[$store] lo_import(): ${T_LOIMP}s; lo_export(): ${T_LOEXP}s"
    fi

    kill -0 "$SERVER_PID" 2>/dev/null || die "[$store] the server died"
    ! grep -q 'OutOfMemoryError' "$SERVER_LOG" || die "[$store] the server logged OutOfMemoryError"
    HEAP_PEAK[$store]="$(grep -o '[0-9]*M->[0-9]*M([0-9]*M)' "$DATA.gc.log" | awk -F'[M>(-]+' '$1 > m { m = $1 } END { print m + 0 }')"
    stop_server
    # The step's GBs go before the next store's step (its logs, beside $DATA, stay): left in place, a step's data slowed
    # every later step on this VM (filesystem 162 against 255 MB/s, s3 133 against 163, in one pair of runs;
    # bench/README.md, 2026-12-07 17:55-18:07), which then measured the order of the stores, not the store.
    rm -rf "$DATA" "$WORK/store-fs"
    sync
}

for store in $STORES; do
    run_store "$store"
done

# --- 4. report --------------------------------------------------------------------------------------------------------
mbps() { awk -v b="$SIZE" -v s="$1" 'BEGIN { if (s + 0 > 0) printf "%.0f", b / 1e6 / s; else print "n/a" }'; }
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.2f", x / y }'; }
echo
echo "Upload: $UPLOAD; server GLIBC_TUNABLES=${SERVER_GLIBC_TUNABLES:-(none)}"
echo "Large upload per store: $SIZE bytes ($(awk -v b="$SIZE" 'BEGIN { printf "%.0f", b / 1048576 }') MiB ONNX), server -Xmx$HEAP, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "Server: app jar sha256 $APP_SHA ($( (cd "$REPO" && git rev-parse --short HEAD) 2>/dev/null || echo '?') in the checkout)"
echo "Machine: $(nproc) CPUs, load before $LOAD_BEFORE, after $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Baselines (same file, page cache warm):"
printf '  %-44s %7ss %6s MB/s\n' "cp, same disk" "$T_CP" "$(mbps "$T_CP")"
printf '  %-44s %7ss %6s MB/s\n' "sha256sum" "$T_SHA" "$(mbps "$T_SHA")"
[[ -n ${T_LOIMP:-} ]] && printf '  %-44s %7ss %6s MB/s\n' "SQL lo_import(), in the database" "$T_LOIMP" "$(mbps "$T_LOIMP")"
[[ -n ${T_LOEXP:-} ]] && printf '  %-44s %7ss %6s MB/s\n' "SQL lo_export(), in the database" "$T_LOEXP" "$(mbps "$T_LOEXP")"
[[ -n ${T_S3PUT:-} ]] && printf '  %-44s %7ss %6s MB/s\n' "aws s3 cp PUT to $S3_SERVER (multipart)" "$T_S3PUT" "$(mbps "$T_S3PUT")"
[[ -n ${T_S3CURL:-} ]] && printf '  %-44s %7ss %6s MB/s\n' "curl PUT to $S3_SERVER (one request)" "$T_S3CURL" "$(mbps "$T_S3CURL")"
[[ -n ${T_S3GET:-} ]] && printf '  %-44s %7ss %6s MB/s\n' "aws s3 cp GET from $S3_SERVER" "$T_S3GET" "$(mbps "$T_S3GET")"
echo
printf '| %-10s | %-22s | %-12s | %-22s | %-22s | %-34s |\n' store "upload s (MB/s)" "receive s" "download s (MB/s)" \
    "replica fetch s (MB/s)" "targets"
printf '|%s|%s|%s|%s|%s|%s|\n' ------------ ------------------------ -------------- ------------------------ \
    ------------------------ ------------------------------------
for store in $STORES; do
    up=${T_UPLOAD[$store]}; fetch=${T_FETCH[$store]}
    case $store in
        postgres) target="upload $(ratio "$T_LOIMP" "$up")x lo_import() (>= 0.8)" ;;
        *) target="upload $(ratio "$(mbps "$up")" 100)x of 100 MB/s, fetch $(ratio "$(mbps "$fetch")" 200)x of 200" ;;
    esac
    printf '| %-10s | %-22s | %-12s | %-22s | %-22s | %-34s |\n' "$store" "$up ($(mbps "$up"))" "${T_RECEIVED[$store]}" \
        "${T_DOWNLOAD[$store]} ($(mbps "${T_DOWNLOAD[$store]}"))" "$fetch ($(mbps "$fetch")) +${T_VERIFY[$store]} sha" "$target"
done
echo
echo "MB = 10^6 bytes. upload: curl until the 201; receive: the upload less what the server logged after its spool was complete (that is"
echo "hash, store write and the one DJL proof load, side by side, then the commit); download: GET .../artifact through"
echo "the server; replica fetch: the server's cold artifact cache fetching the bytes from the store on activation (the"
echo "s3 store in parallel ranged GETs), its sha256 check after that shown apart."
for store in $STORES; do
    if [[ -n ${PHASES[$store]:-} ]]; then echo "  $store, as the server logged it: ${PHASES[$store]}"; fi
done
echo "Peak heap seen by GC (MiB of $HEAP):"
for store in $STORES; do printf '  %s %s' "$store" "${HEAP_PEAK[$store]}"; done
echo
