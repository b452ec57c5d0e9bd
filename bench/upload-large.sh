#!/usr/bin/env bash
# Large-upload benchmark (issue 2): proves a >= 1 GiB ONNX artifact uploads through Turnout with the server's heap
# capped at 256 MiB, and measures upload and download throughput against baselines measured in the same run:
# cp on the same disk, and psql \lo_import / \lo_export (plus the server-side SQL lo_import() / lo_export()) of the
# same file into the same embedded PostgreSQL.
#
#   flock /tmp/turnout-bench.lock bench/upload-large.sh      (the lock keeps other benchmarks and builds off the CPUs)
#
# Steps: generate the model (bench/make_large_onnx.py) in a temp dir; start the server (java -Xmx256m) with a fresh
# TURNOUT_DATA_DIR; check MaxHeapSize with jcmd; upload with curl -F and check the answer's sha256 and size_bytes
# against sha256sum; download it and check the bytes' sha256 and the ETag; run the baselines; check the server is
# alive and logged no OutOfMemoryError; print a table, the upload's phases and the CPU use of every party.
# Takes about 2 minutes on 2 CPUs. Needs curl, jq, psql, jcmd (JDK), and Debian's python3-onnx + python3-numpy.
#
# The server runs as packaged (prod profile): health is asked on its management port, and every /api call carries a
# bearer token generated for this run (the server is given only its SHA-256).
#
# Environment (all optional):
#   APP_DIR    run this built server as it is (a quarkus-app directory); by default the script copies SOURCE_APP into
#              its work dir and runs that copy, so a rebuild during the run cannot change it
#   SOURCE_APP what is copied when APP_DIR is not set (default target/quarkus-app of this repo: ./mvnw package)
#   PORT       HTTP port, bound to 127.0.0.1 (default 18080); MGMT_PORT the management port, health (default 18081)
#   SIZE_MIB   model size in MiB (default 1100)
#   HEAP       -Xmx for the server (default 256m)
#   MODEL      use this existing .onnx instead of generating one (it is not deleted)
#   WORK_ROOT  where the temporary work dir goes (default /tmp); model, copies and server data all live there
#   KEEP=1     keep the work dir (server log, GC log, timeline; not the server copy) instead of deleting it
#
# Everything talks to 127.0.0.1 only. Every wait is bounded. The server is stopped with SIGTERM and the temporary
# data deleted on exit, also on failure.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
APP_DIR="${APP_DIR:-}"
SOURCE_APP="${SOURCE_APP:-$REPO/target/quarkus-app}"
PORT="${PORT:-18080}"
MGMT_PORT="${MGMT_PORT:-18081}"
SIZE_MIB="${SIZE_MIB:-1100}"
HEAP="${HEAP:-256m}"
WORK_ROOT="${WORK_ROOT:-/tmp}"
PYTHON=/usr/bin/python3 # Debian's, with python3-onnx and python3-numpy
BASE="http://127.0.0.1:$PORT"
MGMT="http://127.0.0.1:$MGMT_PORT"
NAME=bench-large

READY_TIMEOUT=180      # s, server start until /q/health/ready (management port)
UPLOAD_TIMEOUT=1800    # s, each big transfer
STOP_TIMEOUT=60        # s, SIGTERM until exit

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

ensure_debian_packages curl jq postgresql-client-15 python3-onnx python3-numpy
for tool in curl jq psql jcmd java sha256sum awk; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
done
[[ -x $PYTHON ]] || die "$PYTHON is missing"
if [[ -n $APP_DIR ]]; then
    [[ -f $APP_DIR/quarkus-run.jar ]] || die "no server at APP_DIR=$APP_DIR"
else
    [[ -f $SOURCE_APP/quarkus-run.jar ]] || die "no server at $SOURCE_APP (./mvnw package first, or set SOURCE_APP or APP_DIR)"
fi
for p in "$PORT" "$MGMT_PORT"; do
    if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$p/"; then die "something already answers on port $p"; fi
done

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
WORK="$(mktemp -d "$WORK_ROOT/turnout-upload-bench.XXXXXX")"
DATA="$WORK/data"
SERVER_LOG="$WORK/server.log"
GC_LOG="$WORK/gc.log"
TIMELINE="$WORK/timeline.tsv"
SERVER_PID=""
SAMPLER_PID=""
APP_COPIED=""

cleanup() {
    local rc=$?
    set +e
    if [[ -n $SAMPLER_PID ]] && kill -0 "$SAMPLER_PID" 2>/dev/null; then
        kill "$SAMPLER_PID" 2>/dev/null
        wait "$SAMPLER_PID" 2>/dev/null
    fi
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        log "stopping the server (SIGTERM to pid $SERVER_PID)"
        kill -TERM "$SERVER_PID"
        for _ in $(seq $((STOP_TIMEOUT * 5))); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            log "server still running after ${STOP_TIMEOUT}s: SIGKILL"
            kill -KILL "$SERVER_PID"
        fi
        wait "$SERVER_PID" 2>/dev/null
    fi
    # The embedded PostgreSQL is the server's child; it should be gone now. If not, stop that one postmaster.
    local pidfile="$DATA/postgres/postmaster.pid"
    if [[ -f $pidfile ]]; then
        local pgpid
        pgpid="$(head -1 "$pidfile")"
        if [[ -n $pgpid ]] && kill -0 "$pgpid" 2>/dev/null; then
            log "embedded PostgreSQL (pid $pgpid) outlived the server: stopping it"
            kill -TERM "$pgpid"
            for _ in $(seq 100); do kill -0 "$pgpid" 2>/dev/null || break; sleep 0.2; done
            kill -0 "$pgpid" 2>/dev/null && kill -KILL "$pgpid"
        fi
    fi
    [[ -n $APP_COPIED ]] && rm -rf "$APP_DIR" # the server copy: never kept
    if [[ ${KEEP:-0} == 1 ]]; then
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

# --- 1. the model -------------------------------------------------------------------------------------------------
if [[ -n ${MODEL:-} ]]; then
    [[ -f $MODEL ]] || die "MODEL=$MODEL does not exist"
    log "using $MODEL"
else
    MODEL="$WORK/large.onnx"
    log "generating a ${SIZE_MIB} MiB ONNX model"
    timeout 1200 "$PYTHON" "$HERE/make_large_onnx.py" "$MODEL" "$SIZE_MIB" >&2
fi
SIZE="$(stat -c %s "$MODEL")"
(( SIZE >= 1 << 30 )) || log "warning: the model is $SIZE bytes, under 1 GiB"

t0=$(now); EXPECTED="$(timeout 600 sha256sum "$MODEL" | cut -d' ' -f1)"; t1=$(now)
T_SHA=$(secs "$t0" "$t1")
log "model: $SIZE bytes, sha256 $EXPECTED (sha256sum ${T_SHA}s)"

# --- 2. baselines: cp on the same disk, without and with fsync ----------------------------------------------------
# The embedded PostgreSQL runs with fsync=off and Turnout's spool file is never fsynced either, so plain cp is the
# like-for-like baseline; cp + fsync shows what durable writes would cost on this disk.
sync
t0=$(now); timeout 600 cp "$MODEL" "$WORK/copy.onnx"; t1=$(now)
T_CP=$(secs "$t0" "$t1")
rm -f "$WORK/copy.onnx"; sync
t0=$(now); timeout 600 cp "$MODEL" "$WORK/copy.onnx"; timeout 600 sync "$WORK/copy.onnx"; t1=$(now)
T_CPSYNC=$(secs "$t0" "$t1")
rm -f "$WORK/copy.onnx"; sync
log "cp: ${T_CP}s; cp + fsync: ${T_CPSYNC}s"

# --- 3. the server --------------------------------------------------------------------------------------------------
log "starting the server from $APP_DIR (app jar sha256 $APP_SHA) with -Xmx$HEAP, data in $DATA, port $PORT, management port $MGMT_PORT"
mkdir -p "$DATA"
(
    cd "$WORK"
    export TURNOUT_DATA_DIR="$DATA"
    unset QUARKUS_DATASOURCE_JDBC_URL
    exec java -Xmx"$HEAP" -Xlog:gc:file="$GC_LOG" \
        -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" \
        -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$MGMT_PORT" \
        -Dturnout.security.tokens.bench.sha256="$TOKEN_SHA" -Dturnout.security.tokens.bench.roles=publisher,operator,viewer \
        -jar "$APP_DIR/quarkus-run.jar"
) >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

deadline=$((SECONDS + READY_TIMEOUT))
until curl -sf -o /dev/null --max-time 5 "$MGMT/q/health/ready"; do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -50 "$SERVER_LOG" >&2; die "the server exited during start-up"; }
    (( SECONDS < deadline )) || { tail -50 "$SERVER_LOG" >&2; die "not ready after ${READY_TIMEOUT}s"; }
    sleep 1
done
PGPORT="$(sed -n 's/.*started embedded PostgreSQL on port \([0-9]*\).*/\1/p' "$SERVER_LOG" | head -1)"
[[ -n $PGPORT ]] || die "no 'started embedded PostgreSQL on port' line in $SERVER_LOG"
log "ready; embedded PostgreSQL on port $PGPORT"

MAX_HEAP="$(timeout 60 jcmd "$SERVER_PID" VM.flags | tr ' ' '\n' | sed -n 's/^-XX:MaxHeapSize=//p')"
[[ -n $MAX_HEAP ]] || die "jcmd did not report MaxHeapSize"
log "server JVM: MaxHeapSize=$MAX_HEAP ($((MAX_HEAP / 1048576)) MiB)"
HEAP_BYTES="$(awk -v h="$HEAP" 'BEGIN { n = h + 0; u = tolower(substr(h, length(h)));
    print (u == "g") ? n * 1073741824 : (u == "m") ? n * 1048576 : (u == "k") ? n * 1024 : n }')"
[[ $MAX_HEAP == "$HEAP_BYTES" ]] || die "MaxHeapSize is $MAX_HEAP, not $HEAP"

psql_q() { # one statement or meta-command against the embedded PostgreSQL
    timeout "$UPLOAD_TIMEOUT" psql -X -q -t -A -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres "$@"
}
PG_MASTER="$(head -1 "$DATA/postgres/postmaster.pid")"
# CPU accounting, to show what else ran during a measurement: "machine_busy machine_total jvm postgres" in ticks.
cpu_snapshot() {
    local machine jvm pg=0 p
    machine="$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)"
    jvm="$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat" 2>/dev/null || echo 0)"
    # The postmaster's own and its reaped children's time (exited backends, e.g. psql's), plus live children's.
    pg="$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$PG_MASTER/stat" 2>/dev/null || echo 0)"
    for p in $(pgrep -P "$PG_MASTER" || true); do
        pg=$((pg + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$machine $jvm $pg"
}
cpu_report() { # before after: "machine B of N CPUs busy: server JVM J, PostgreSQL P, rest R" (in CPUs, averaged)
    awk -v n="$(nproc)" -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ");
        total = y[2] - x[2]; if (total <= 0) { print "n/a"; exit }
        busy = (y[1] - x[1]) / total * n; jvm = (y[3] - x[3]) / total * n; pg = (y[4] - x[4]) / total * n;
        printf "%.2f of %d CPUs busy: server JVM %.2f, PostgreSQL %.2f, everything else (curl/psql + other processes) %.2f",
            busy, n, jvm, pg, busy - jvm - pg }'
}
PG_SETTINGS="$(psql_q -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings
    WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_level', 'max_wal_size', 'shared_buffers')")"
PG_VERSION="$(psql_q -c 'SHOW server_version')"
log "PostgreSQL $PG_VERSION: $PG_SETTINGS"

# Warm-up: one tiny upload, so ONNX Runtime's and DJL's one-time start-up is not billed to the big upload.
curl -sS -f -o /dev/null --max-time 120 "${AUTH[@]}" -F artifact=@"$REPO/src/test/resources/models/linear-v1.onnx" \
    "$BASE/api/models/bench-warmup/versions" || die "the warm-up upload failed"

# --- 4. the upload ------------------------------------------------------------------------------------------------
# A sampler records, every 0.2 s: spooled bytes, PostgreSQL's on-disk size, and the JVM's I/O counters and memory,
# so the upload's time can be split into phases afterwards.
sample() {
    set +e +o pipefail # a spool file vanishing mid-find must not end the sampler
    local pgdir="$DATA/postgres" uploads="$DATA/uploads"
    printf 't\tspool_bytes\tpg_bytes\tjvm_rchar\tjvm_wchar\tjvm_rss_kb\tjvm_cpu_ticks\n'
    while kill -0 "$SERVER_PID" 2>/dev/null; do
        local spool=0 pg rchar wchar rss cpu
        if [[ -d $uploads ]]; then
            spool="$(find "$uploads" -type f -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')"
        fi
        pg="$(du -sb "$pgdir" 2>/dev/null | cut -f1)"
        rchar="$(awk '$1 == "rchar:" { print $2 }' "/proc/$SERVER_PID/io" 2>/dev/null)"
        wchar="$(awk '$1 == "wchar:" { print $2 }' "/proc/$SERVER_PID/io" 2>/dev/null)"
        rss="$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null)"
        cpu="$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat" 2>/dev/null)"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(now)" "$spool" "${pg:-0}" "${rchar:-0}" "${wchar:-0}" "${rss:-0}" "${cpu:-0}"
        sleep 0.2
    done
}
psql_q -c 'CHECKPOINT' >/dev/null
sample >"$TIMELINE" &
SAMPLER_PID=$!
sleep 0.5

log "uploading $SIZE bytes to $BASE/api/models/$NAME/versions"
CPU_UP0="$(cpu_snapshot)"
UP_T0=$(now)
CURL_UP="$(curl -sS -o "$WORK/upload.json" --max-time "$UPLOAD_TIMEOUT" \
    -w '%{http_code} %{time_total} %{time_pretransfer} %{time_starttransfer} %{size_upload}' \
    "${AUTH[@]}" -F artifact=@"$MODEL" "$BASE/api/models/$NAME/versions")" || die "curl failed: $CURL_UP"
UP_T1=$(now)
CPU_UP1="$(cpu_snapshot)"
sleep 0.5
kill "$SAMPLER_PID" 2>/dev/null || log "warning: the sampler had stopped early"
wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
read -r UP_CODE T_UP UP_PRE UP_FIRSTBYTE UP_BYTES <<<"$CURL_UP"
T_UP="$(awk -v t="$T_UP" 'BEGIN { printf "%.2f", t }')"
log "upload: HTTP $UP_CODE in ${T_UP}s (curl), $UP_BYTES bytes sent (multipart body)"
[[ $UP_CODE == 201 ]] || { cat "$WORK/upload.json" >&2; tail -50 "$SERVER_LOG" >&2; die "upload answered $UP_CODE"; }
GOT_SHA="$(jq -r .sha256 "$WORK/upload.json")"
GOT_SIZE="$(jq -r .size_bytes "$WORK/upload.json")"
GOT_VERSION="$(jq -r .version "$WORK/upload.json")"
[[ $GOT_SHA == "$EXPECTED" ]] || die "the server's sha256 $GOT_SHA is not sha256sum's $EXPECTED"
[[ $GOT_SIZE == "$SIZE" ]] || die "the server's size_bytes $GOT_SIZE is not $SIZE"
log "upload verified: version $GOT_VERSION, sha256 and size_bytes match the file"

# --- 5. the download ----------------------------------------------------------------------------------------------
log "downloading it back"
CURL_DOWN="$(curl -sS -D "$WORK/download.headers" -o "$WORK/download.onnx" --max-time "$UPLOAD_TIMEOUT" \
    -w '%{http_code} %{time_total} %{time_starttransfer} %{size_download}' \
    "${AUTH[@]}" "$BASE/api/models/$NAME/versions/$GOT_VERSION/artifact")" || die "curl failed: $CURL_DOWN"
read -r DOWN_CODE T_DOWN DOWN_FIRSTBYTE DOWN_BYTES <<<"$CURL_DOWN"
T_DOWN="$(awk -v t="$T_DOWN" 'BEGIN { printf "%.2f", t }')"
[[ $DOWN_CODE == 200 ]] || die "download answered $DOWN_CODE"
DOWN_SHA="$(timeout 600 sha256sum "$WORK/download.onnx" | cut -d' ' -f1)"
[[ $DOWN_SHA == "$EXPECTED" ]] || die "the downloaded bytes hash to $DOWN_SHA, not $EXPECTED"
ETAG="$(tr -d '\r' <"$WORK/download.headers" | sed -n 's/^[Ee][Tt][Aa][Gg]: *//p')"
[[ $ETAG == "\"$EXPECTED\"" ]] || die "ETag is $ETAG, not \"$EXPECTED\""
rm -f "$WORK/download.onnx"
log "download: ${DOWN_BYTES} bytes in ${T_DOWN}s; sha256 and ETag match"

# --- 6. baselines in the same PostgreSQL --------------------------------------------------------------------------
psql_q -c 'CHECKPOINT' >/dev/null
CPU_LO0="$(cpu_snapshot)"
t0=$(now); LO_OUT="$(psql_q -c "\\lo_import '$MODEL'" -c '\echo :LASTOID')"; t1=$(now)
CPU_LO1="$(cpu_snapshot)"
T_LOIMP=$(secs "$t0" "$t1")
OID="$(awk '{ print $NF }' <<<"$LO_OUT")"
[[ $OID =~ ^[0-9]+$ ]] || die "unexpected \\lo_import output: $LO_OUT"
log "psql \\lo_import: ${T_LOIMP}s (oid $OID)"
t0=$(now); psql_q -c "\\lo_export $OID '$WORK/export.onnx'" >/dev/null; t1=$(now)
T_LOEXP=$(secs "$t0" "$t1")
[[ $(stat -c %s "$WORK/export.onnx") == "$SIZE" ]] || die "\\lo_export wrote the wrong number of bytes"
rm -f "$WORK/export.onnx"
psql_q -c "SELECT lo_unlink($OID)" >/dev/null
log "psql \\lo_export: ${T_LOEXP}s"
# The same in the database server itself (SQL lo_import/lo_export read and write the file in the backend): no client,
# no protocol, so this is how fast this PostgreSQL can write and read large objects at all.
psql_q -c 'CHECKPOINT' >/dev/null
t0=$(now); SOID="$(psql_q -c "SELECT lo_import('$MODEL')")"; t1=$(now)
T_SLOIMP=$(secs "$t0" "$t1")
[[ $SOID =~ ^[0-9]+$ ]] || die "unexpected lo_import() result: $SOID"
t0=$(now); psql_q -c "SELECT lo_export($SOID, '$WORK/export.onnx')" >/dev/null; t1=$(now)
T_SLOEXP=$(secs "$t0" "$t1")
[[ $(stat -c %s "$WORK/export.onnx") == "$SIZE" ]] || die "lo_export() wrote the wrong number of bytes"
rm -f "$WORK/export.onnx"
psql_q -c "SELECT lo_unlink($SOID)" >/dev/null
log "server-side lo_import(): ${T_SLOIMP}s; lo_export(): ${T_SLOEXP}s"

# --- 7. did the server stay within its heap? -----------------------------------------------------------------------
kill -0 "$SERVER_PID" 2>/dev/null || die "the server died"
if grep -q 'OutOfMemoryError' "$SERVER_LOG"; then
    grep -n -m5 'OutOfMemoryError' "$SERVER_LOG" >&2
    die "the server logged OutOfMemoryError"
fi
HEAP_INFO="$(timeout 60 jcmd "$SERVER_PID" GC.heap_info | sed -n '2p' | sed 's/ *\[.*//' | tr -s ' ' | sed 's/^ //')"
# Largest heap occupancy any GC saw (before collecting), from -Xlog:gc lines like "... 120M->30M(256M) 3.2ms".
GC_PEAK="$(grep -o '[0-9]*M->[0-9]*M([0-9]*M)' "$GC_LOG" | awk -F'[M>(-]+' '$1 > m { m = $1 } END { print m + 0 }')"
GC_COUNT="$(grep -c 'Pause' "$GC_LOG" || true)"
RSS_PEAK="$(awk '$1 == "VmHWM:" { print int($2 / 1024) }' "/proc/$SERVER_PID/status")"

# --- 8. where the upload's time went (from the sampler's timeline) --------------------------------------------------
PHASES="$(awk -F'\t' -v size="$SIZE" '
    NR == 2 { pg0 = $3 }
    NR >= 2 && !spooled && $2 >= size { spooled = $1; r_sp = $4; c_sp = $7 }
    NR >= 2 && spooled && !hashed && $4 - r_sp >= 0.98 * size { hashed = $1 }
    NR >= 2 && spooled && !lo && $3 - pg0 > 32 * 1048576 { lo = $1; r_lo = $4; c_lo = $7 }
    NR >= 2 { r_end = $4; c_end = $7; pg_end = $3 }
    END {
        if (!spooled || !hashed || !lo) { print "unavailable (the sampler missed a phase)"; exit }
        printf "%s %s %s %.2f %.2f %.2f %d\n", spooled, hashed, lo, (r_lo - r_sp) / size, (c_lo - c_sp) / 100, (c_end - c_lo) / 100,
            (pg_end - pg0) / 1048576
    }' "$TIMELINE")"

# --- 9. report ------------------------------------------------------------------------------------------------------
mbps() { awk -v b="$SIZE" -v s="$1" 'BEGIN { printf "%.1f", b / 1e6 / s }'; }
ratio() { awk -v base="$1" -v s="$2" 'BEGIN { printf "%.2f", base / s }'; } # throughput ratio = base time / time

echo
echo "Large upload: $SIZE bytes ($(awk -v b="$SIZE" 'BEGIN { printf "%.1f", b / 1048576 }') MiB), server -Xmx$HEAP (MaxHeapSize=$MAX_HEAP), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "Server: ${APP_COPIED:-$APP_DIR} (app jar sha256 $APP_SHA)"
echo "PostgreSQL $PG_VERSION (embedded): $PG_SETTINGS"
echo "Load average before the run: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
echo
printf '| %-40s | %7s | %7s | %6s | %7s | %8s |\n' "operation" "seconds" "MB/s" "vs cp" "vs psql" "vs in-DB"
printf '|%s|%s|%s|%s|%s|%s|\n' "------------------------------------------" "--------:" "--------:" "-------:" "--------:" "---------:"
row() { printf '| %-40s | %7s | %7s | %6s | %7s | %8s |\n' "$1" "$2" "$(mbps "$2")" "$(ratio "$T_CP" "$2")" "$3" "$4"; }
row "cp, same disk (baseline)" "$T_CP" "-" "-"
row "cp + fsync, same disk (reference)" "$T_CPSYNC" "-" "-"
row "psql \\lo_import (baseline)" "$T_LOIMP" "1.00" "$(ratio "$T_SLOIMP" "$T_LOIMP")"
row "SQL lo_import(), in the DB (baseline)" "$T_SLOIMP" "$(ratio "$T_LOIMP" "$T_SLOIMP")" "1.00"
row "**Turnout upload, curl -F (201)**" "$T_UP" "$(ratio "$T_LOIMP" "$T_UP")" "$(ratio "$T_SLOIMP" "$T_UP")"
row "psql \\lo_export (baseline)" "$T_LOEXP" "1.00" "$(ratio "$T_SLOEXP" "$T_LOEXP")"
row "SQL lo_export(), in the DB (baseline)" "$T_SLOEXP" "$(ratio "$T_LOEXP" "$T_SLOEXP")" "1.00"
row "**Turnout download, curl GET (200)**" "$T_DOWN" "$(ratio "$T_LOEXP" "$T_DOWN")" "$(ratio "$T_SLOEXP" "$T_DOWN")"
row "sha256sum of the file (reference)" "$T_SHA" "-" "-"
echo
echo "MB = 10^6 bytes. 'vs X' = throughput relative to baseline X (1.00 = as fast; 0.50 = half as fast). 'vs cp' is"
echo "against plain cp; 'vs psql' compares writes with psql \\lo_import (client-side, 8 kB lo_write calls) and reads"
echo "with \\lo_export; 'vs in-DB' with the server-side SQL functions lo_import()/lo_export() (no client at all)."
echo "The file is in the page cache throughout (it was just written); one run of each operation."
if [[ $PHASES == unavailable* ]]; then
    echo "Upload phases: $PHASES"
else
    read -r P_SPOOLED P_HASHED P_LO P_PASSES P_CPU_MID P_CPU_LO P_PG_GROWTH <<<"$PHASES"
    echo "Upload phases (from 0.2 s samples of the spool dir, PostgreSQL's data dir and the JVM's /proc counters):"
    echo "  receive multipart + spool to disk   $(secs "$UP_T0" "$P_SPOOLED") s"
    echo "  sha256 of the spool file           ~$(secs "$P_SPOOLED" "$P_HASHED") s"
    echo "  ONNX Runtime loads + smoke test    ~$(secs "$P_HASHED" "$P_LO") s"
    echo "    (sha256 + loads: the JVM read ${P_PASSES}x the file size, ${P_CPU_MID} CPU-s)"
    echo "  large-object write + commit         $(secs "$P_LO" "$UP_T1") s  (${P_CPU_LO} CPU-s in the JVM;"
    echo "    PostgreSQL's data dir grew ${P_PG_GROWTH} MiB: pg_largeobject rows plus WAL)"
fi
echo "CPU during the upload:     $(cpu_report "$CPU_UP0" "$CPU_UP1")"
echo "CPU during \\lo_import:     $(cpu_report "$CPU_LO0" "$CPU_LO1")"
echo "Server: HTTP $UP_CODE, sha256/size_bytes/download sha256/ETag all match; no OutOfMemoryError in its log;"
echo "  ${GC_COUNT} GC pauses, peak heap occupancy ${GC_PEAK} MiB of ${HEAP}; after the run: $HEAP_INFO"
echo "  peak RSS of the JVM process ${RSS_PEAK} MiB (native memory: ONNX Runtime holds the model off-heap)"
