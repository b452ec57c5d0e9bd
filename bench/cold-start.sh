#!/usr/bin/env bash
# Cold-start benchmark (issue 14): how fast a new replica is ready, how fast it serves from its first request, and how
# much memory it holds, for the packaged server as it is and with each start-up lever, side by side in one run.
#
#   flock -o /tmp/turnout-mvn.lock flock -o /tmp/turnout-bench.lock bench/cold-start.sh
#
# Against one external PostgreSQL (Debian's, started here through lib.sh), with two databases prepared once by a
# throw-away start (so every measured start finds its schema migrated, as a new replica of a running service does):
#   empty   no model
#   models  linear (y = 2x + 1, ONNX) version 1 active
# For every variant (VARIANTS), REPS times:
#   1. start on "empty": start-to-ready = process launch until /q/health/ready answers 200 (polled every 50 ms);
#      then RSS idle: VmRSS after IDLE_SETTLE s without requests, read once as it is and once right after a full GC
#      (jcmd GC.run of the variant's JDK), which takes the garbage of the start out of the figure; stop.
#   2. start on "models": start-to-ready; then at once `wrk -t2 -c32` OIP v2 on linear, as SLICES consecutive 1 s wrk
#      runs (requests/s per 1 s slice after ready; each slice opens its 32 connections anew, a few ms each), then
#      STEADY s more in one wrk run: the steady state of the same process. Stop.
# Once, for the last variant (FLIP_VARIANT): WARM_FLIPS flips between linear versions 1 and 2 (PUT .../active, no load), on
# "models", then FLIPS more; RSS (after a full GC each time) before the warm-up flips, after them and after the FLIPS.
# The first flips compile the flip path (code cache and metaspace grow, NMT shows it); a leak grows on in the FLIPS.
# A table per variant: start-to-ready (no models, linear), RSS idle, the 1 s slices as % of steady state, the first
# slice at >= 80 % of steady state, and steady req/s; each figure for every repetition (the spread).
#
# Variants (VARIANTS, space separated; default "warmup-off plain appcds aot container-serial container"):
#   plain        the server as packaged, on Java 17 (turnout.serving.warmup.* at their defaults)
#   warmup-off   the same with the request-path warm-up off (turnout.serving.warmup.enabled=false): the old behaviour
#   appcds       Java 17 with a dynamic AppCDS archive (-XX:SharedArchiveFile) written by scripts/make-aot-cache.sh
#   java25       the server as packaged, on Java 25 ($JAVA25), no cache
#   aot          Java 25 with the AOT cache (-XX:AOTCache, JEP 483/514/515) written by scripts/make-aot-cache.sh
#                (the image's figures need the server packaged as the image packages it: SOURCE_APP or APP_DIR a build with
#                -Dquarkus.package.jar.type=aot-jar; see Dockerfile.jvm)
#   container-serial  the same with -XX:+UseSerialGC instead of G1 (a lever for RSS and start; not what the image runs)
#   aot-fastjar / plain-fastjar  aot / plain on FASTJAR_APP, a build of the same commit packaged as Quarkus' default
#                fast-jar (-Dquarkus.package.jar.type=fast-jar), whose RunnerClassLoader still reads its classes
#                from the jars and leaves their linking to run time, cache or not; run only when FASTJAR_APP is set
#   aot-base / container-base  aot / container on BASE_APP, a build of another commit (the "before" of a change, packaged
#                the same way), with its own cache trained in this run; run only when BASE_APP is set
#   container    what src/main/docker/Dockerfile.jvm runs: Java 25, the AOT cache, its JAVA_OPTS_MEMORY,
#                MALLOC_ARENA_MAX=2 and GLIBC_TUNABLES=glibc.malloc.hugetlb=1, with -XX:MaxRAM=$CONTAINER_MEMORY
#                (default 4g, the manifests' limit) standing for the container's memory limit
#   VARIANT/LABEL  any variant above with the extra JVM options of $OPTS_LABEL (LABEL: letters, digits, _), to compare
#                server settings side by side on one build, e.g. VARIANTS="container container/w8" OPTS_w8="-Dturnout.serving.warmup.timeout=8s"
# appcds, aot and container train their cache in this run (scripts/make-aot-cache.sh against the "models" database).
#
# Environment (all optional):
#   APP_DIR / SOURCE_APP   as in bench/serving.sh (default: a private copy of target/quarkus-app)
#   REPS (2) SLICES (30) STEADY (10) IDLE_SETTLE (5) FLIPS (1000, 0 skips) WARM_FLIPS (1000) CONNS (32) WRK_THREADS (2)
#   JAVA17 (/usr/lib/jvm/java-17-openjdk-amd64/bin/java) JAVA25 (/usr/lib/jvm/temurin-25-jdk-amd64/bin/java)
#   JAVA_OPTS  extra JVM options for every start (OPTS_LABEL: for the variants VARIANT/LABEL only); KEEP=1 keeps the work dir
#   FASTJAR_APP  a fast-jar build (quarkus-app directory) for the *-fastjar variants; TRAIN_SECONDS as in make-aot-cache.sh
#   BASE_APP     a build of another commit (quarkus-app directory) for the *-base variants
# About 1.5 minutes per variant with the defaults, plus ~2 minutes of flips. Everything it starts is stopped on exit.
set -Eeuo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
APP_DIR="${APP_DIR:-}"
FASTJAR_APP="${FASTJAR_APP:-}"
BASE_APP="${BASE_APP:-}"
SOURCE_APP="${SOURCE_APP:-$REPO/target/quarkus-app}"
VARIANTS="${VARIANTS:-warmup-off plain appcds aot container-serial container}"
REPS="${REPS:-2}"
SLICES="${SLICES:-30}"
STEADY="${STEADY:-10}"
IDLE_SETTLE="${IDLE_SETTLE:-5}"
FLIPS="${FLIPS:-1000}"
WARM_FLIPS="${WARM_FLIPS:-1000}"
CONNS="${CONNS:-32}"
WRK_THREADS="${WRK_THREADS:-2}"
JAVA17="${JAVA17:-/usr/lib/jvm/java-17-openjdk-amd64/bin/java}"
JAVA25="${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
JAVA_OPTS="${JAVA_OPTS:-}"
CONTAINER_MEMORY="${CONTAINER_MEMORY:-4g}" # the limit of the generated Kubernetes manifests
PORT=18190
MGMT_PORT=18192
PG_PORT=18193
PG_BIN=/usr/lib/postgresql/15/bin
PG_TIMEOUT=60
MODELS="$REPO/src/test/resources/models"
BASE="http://127.0.0.1:$PORT"
MGMT="http://127.0.0.1:$MGMT_PORT"
READY_TIMEOUT=120
BODY_LINEAR='{"inputs":[{"name":"x","datatype":"FP32","shape":[1,1],"data":[3.0]}]}'

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

ensure_debian_packages curl jq wrk postgresql
for tool in curl jq wrk awk timeout runuser; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
[[ -x $JAVA17 ]] || die "no Java 17 at $JAVA17"
if [[ $VARIANTS == *java25* || $VARIANTS == *aot* || $VARIANTS == *container* ]]; then [[ -x $JAVA25 ]] || die "no Java 25 at $JAVA25"; fi
if [[ -n $APP_DIR ]]; then
    [[ -f $APP_DIR/quarkus-run.jar ]] || die "no server at APP_DIR=$APP_DIR"
else
    [[ -f $SOURCE_APP/quarkus-run.jar ]] || die "no server at $SOURCE_APP (./mvnw package first, or set SOURCE_APP or APP_DIR)"
fi
if [[ $VARIANTS == *fastjar* ]]; then [[ -f $FASTJAR_APP/quarkus-run.jar ]] || die "the *-fastjar variants need FASTJAR_APP (a fast-jar quarkus-app directory)"; fi
if [[ $VARIANTS == *-base* ]]; then [[ -f $BASE_APP/quarkus-run.jar ]] || die "the *-base variants need BASE_APP (a quarkus-app directory)"; fi
for p in "$PORT" "$MGMT_PORT" "$PG_PORT"; do
    if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$p/"; then die "something already answers on port $p"; fi
done

WORK="$(mktemp -d /tmp/turnout-cold-start.XXXXXX)"
chmod 755 "$WORK"
PGDATA="$WORK/pgdata"
SERVER_PID=""
PG_STARTED=""
APP_COPIED=""

stop_server() { stop_pid "$SERVER_PID" Turnout TERM 40; SERVER_PID=""; }
cleanup() {
    local rc=$?
    set +e
    stop_server
    [[ -n $PG_STARTED ]] && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1
    [[ -n $APP_COPIED ]] && rm -rf "$APP_DIR"
    if [[ ${KEEP:-0} == 1 || $rc != 0 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

prepare_server_copy
make_run_token
start_bench_postgres -c max_connections=60
for db in empty models; do
    runuser -u postgres -- "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" "$db" || die "createdb $db failed"
done
printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = [==[%s]==]\n' "$BODY_LINEAR" \
    >"$WORK/linear.lua"

now_ms() { date +%s%3N; }
rss_mib() { awk '$1 == "VmRSS:" { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# java_for VARIANT / opts_for VARIANT: the JVM and its options.
java_for() { case $(variant_base "$1") in java25 | aot* | container*) echo "$JAVA25" ;; *) echo "$JAVA17" ;; esac; }
# app_for VARIANT: the quarkus-app directory it runs.
app_for() { case $(variant_base "$1") in *-fastjar) echo "$FASTJAR_APP" ;; *-base) echo "$BASE_APP" ;; *) echo "$APP_DIR" ;; esac; }
# rss_after_gc PID VARIANT: VmRSS in MiB right after a full GC (jcmd of the variant's JDK).
rss_after_gc() {
    "$(dirname "$(java_for "$2")")/jcmd" "$1" GC.run >/dev/null || die "jcmd GC.run failed"
    sleep 1
    rss_mib "$1"
}
# env_for VARIANT: environment of the server besides the database settings.
env_for() { case $(variant_base "$1") in container*) echo "MALLOC_ARENA_MAX=2 GLIBC_TUNABLES=glibc.malloc.hugetlb=1" ;; *) echo "TURNOUT_BENCH_VARIANT=$1" ;; esac; }
image_memory_opts() { sed -n 's/^ENV JAVA_OPTS_MEMORY="\(.*\)"$/\1/p' "$REPO/src/main/docker/Dockerfile.jvm"; }
# variant_base VARIANT: the variant without its /LABEL; label_opts VARIANT: the options $OPTS_LABEL of VARIANT/LABEL.
variant_base() { echo "${1%%/*}"; }
label_opts() {
    [[ $1 == */* ]] || return 0
    local name="OPTS_${1#*/}"
    [[ ${1#*/} =~ ^[A-Za-z0-9_]+$ ]] || die "variant $1: the label after / must be letters, digits or _"
    [[ -n ${!name:-} ]] || die "variant $1 needs \$name (its extra JVM options)"
    echo "${!name}"
}
opts_for() {
    echo "$(opts_base "$(variant_base "$1")") $(label_opts "$1")"
}
opts_base() {
    case $1 in
        warmup-off) echo "-Dturnout.serving.warmup.enabled=false" ;;
        appcds) echo "-XX:SharedArchiveFile=$WORK/cache/app-cds.jsa -Xshare:auto" ;;
        aot) echo "-XX:AOTCache=$WORK/cache/app.aot" ;;
        aot-fastjar) echo "-XX:AOTCache=$WORK/cache/app-fastjar.aot" ;;
        aot-base) echo "-XX:AOTCache=$WORK/cache/app-base.aot" ;;
        container) echo "-XX:MaxRAM=$CONTAINER_MEMORY $(image_memory_opts) -XX:AOTCache=$WORK/cache/app.aot" ;;
        container-base) echo "-XX:MaxRAM=$CONTAINER_MEMORY $(image_memory_opts) -XX:AOTCache=$WORK/cache/app-base.aot" ;;
        container-serial) echo "-XX:MaxRAM=$CONTAINER_MEMORY $(image_memory_opts | sed 's/-XX:+UseG1GC/-XX:+UseSerialGC/; s/-XX:G1PeriodicGCInterval=[0-9]*//') -XX:AOTCache=$WORK/cache/app.aot" ;;
        *) echo "" ;;
    esac
}

# start_server VARIANT DB LOG: launches the server; sets SERVER_PID and LAUNCHED_MS.
start_server() {
    local variant=$1 db=$2 out=$3 java opts
    java="$(java_for "$variant")"
    opts="$(opts_for "$variant")"
    mkdir -p "$WORK/data-$db"
    LAUNCHED_MS="$(now_ms)"
    # shellcheck disable=SC2086,SC2046 # option lists
    env $(env_for "$variant") \
    QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/$db" \
    QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD=unused \
    TURNOUT_DATA_DIR="$WORK/data-$db" TURNOUT_SERVING_DEFAULT_MODEL=linear \
        "$java" $opts $JAVA_OPTS -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" \
            -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$MGMT_PORT" \
            -Dturnout.security.tokens.bench.sha256="$TOKEN_SHA" -Dturnout.security.tokens.bench.roles=publisher,operator,viewer \
            -Dquarkus.shutdown.delay-enabled=false -jar "$(app_for "$variant")/quarkus-run.jar" >"$out" 2>&1 </dev/null &
    SERVER_PID=$!
}

# wait_ready LOG: polls readiness every 50 ms; sets READY_MS (since launch).
wait_ready() {
    local deadline=$((SECONDS + READY_TIMEOUT))
    until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$MGMT/q/health/ready" || true) == 200 ]]; do
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -40 "$1" >&2; die "the server exited while starting"; }
        ((SECONDS < deadline)) || { tail -40 "$1" >&2; die "not ready after ${READY_TIMEOUT}s"; }
        sleep 0.05
    done
    READY_MS=$(($(now_ms) - LAUNCHED_MS))
}

upload() { # version file -> version number
    curl -sS -f --max-time 60 "${AUTH[@]}" -F "artifact=@$MODELS/$1" "$BASE/api/models/linear/versions" | jq -r .version
}
activate() { # version
    curl -sS -f --max-time 60 -o /dev/null "${AUTH[@]}" -X PUT -H 'Content-Type: application/json' \
        -d "{\"version\":$1}" "$BASE/api/models/linear/active"
}

# --- preparation: migrate both databases; linear v1 (active) and v2 in "models" ---------------------------------------
log "preparing the databases (one throw-away start each)"
start_server plain empty "$WORK/prepare-empty.log"; wait_ready "$WORK/prepare-empty.log"; stop_server
start_server plain models "$WORK/prepare-models.log"; wait_ready "$WORK/prepare-models.log"
V1="$(upload linear-v1.onnx)" && V2="$(upload linear-v2.onnx)" || die "uploading linear failed"
activate "$V1" || die "activating linear v$V1 failed"
got="$(curl -sS -f --max-time 10 -H 'Content-Type: application/json' -d "$BODY_LINEAR" "$BASE/v2/models/linear/infer" \
    | jq -c '.outputs[0].data')" || die "linear infer failed"
[[ $got == '[7.0]' || $got == '[7]' ]] || die "linear answered $got, not [7.0]"
stop_server
log "linear v$V1 active, v$V2 uploaded"

# --- caches: trained once, against "models" (scripts/make-aot-cache.sh) -------------------------------------------------
mkdir -p "$WORK/cache"
train() { # kind file [app dir]
    QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/models" \
    QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD=unused TURNOUT_DATA_DIR="$WORK/data-models" \
    JAVA17="$JAVA17" JAVA25="$JAVA25" HTTP_PORT=$PORT MGMT_PORT=$MGMT_PORT \
        "$REPO/scripts/make-aot-cache.sh" "$1" "${3:-$APP_DIR}" "$2" >"$WORK/train-$(basename "$2").log" 2>&1 \
        || { tail -30 "$WORK/train-$(basename "$2").log" >&2; die "make-aot-cache.sh $1 failed"; }
    log "trained $1 cache: $(du -h "$2" | cut -f1)"
}
BASES=" $(for v in $VARIANTS; do variant_base "$v"; done | tr '\n' ' ')"
[[ $VARIANTS == *appcds* ]] && train appcds "$WORK/cache/app-cds.jsa"
[[ $BASES =~ \ (aot|container|container-serial)\  ]] && train aot "$WORK/cache/app.aot"
[[ $VARIANTS == *aot-fastjar* ]] && train aot "$WORK/cache/app-fastjar.aot" "$FASTJAR_APP"
[[ $VARIANTS == *-base* ]] && train aot "$WORK/cache/app-base.aot" "$BASE_APP"

# --- measured starts ------------------------------------------------------------------------------------------------
declare -A READY_EMPTY READY_MODELS RSS_RAW RSS_IDLE STEADY_RPS SLICE_LIST FIRST80 MIN_AFTER5 WARMUP
for variant in $VARIANTS; do
    for rep in $(seq "$REPS"); do
        key="$variant#$rep"
        file="${variant//\//-}" # VARIANT/LABEL -> VARIANT-LABEL in file names
        out="$WORK/$file-$rep-empty.log"
        start_server "$variant" empty "$out"; wait_ready "$out"
        READY_EMPTY[$key]=$READY_MS
        sleep "$IDLE_SETTLE"
        RSS_RAW[$key]="$(rss_mib "$SERVER_PID")"
        RSS_IDLE[$key]="$(rss_after_gc "$SERVER_PID" "$variant")"
        stop_server

        out="$WORK/$file-$rep-models.log"
        start_server "$variant" models "$out"; wait_ready "$out"
        READY_MODELS[$key]=$READY_MS
        slices=()
        for s in $(seq "$SLICES"); do
            timeout 30 wrk -t"$WRK_THREADS" -c"$CONNS" -d1s --timeout 5s -s "$WORK/linear.lua" "$BASE/v2/models/linear/infer" \
                >"$WORK/wrk-$file-$rep-$s.txt" || die "wrk slice $s failed"
            slices+=("$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$WORK/wrk-$file-$rep-$s.txt")")
        done
        timeout $((STEADY + 30)) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${STEADY}s" --timeout 5s -s "$WORK/linear.lua" \
            "$BASE/v2/models/linear/infer" >"$WORK/wrk-$file-$rep-steady.txt" || die "wrk steady failed"
        STEADY_RPS[$key]="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$WORK/wrk-$file-$rep-steady.txt")"
        grep -q 'Non-2xx' "$WORK"/wrk-"$file"-"$rep"-*.txt && die "$variant: non-2xx answers under load"
        # how the request-path warm-up ended ("done after N ms", "stopped at the timeout ...": its log line's head)
        WARMUP[$key]="$(sed -n 's/.*Request-path warm-up \(.*\): {.*/\1/p' "$out" | head -1)"
        SLICE_LIST[$key]="${slices[*]}"
        FIRST80[$key]="$(awk -v s="${STEADY_RPS[$key]}" '{ for (i = 1; i <= NF; i++) if ($i >= 0.8 * s) { print i; exit } print "none" }' \
            <<<"${slices[*]}")"
        MIN_AFTER5[$key]="$(awk -v s="${STEADY_RPS[$key]}" 'NF < 6 { print "-"; exit } { m = 1e9; for (i = 6; i <= NF; i++) if ($i < m) m = $i; printf "%.0f %%", 100 * m / s }' \
            <<<"${slices[*]}")"
        stop_server
        log "$key: ready ${READY_EMPTY[$key]} ms (no models), ${READY_MODELS[$key]} ms (linear); RSS idle ${RSS_RAW[$key]} MiB, ${RSS_IDLE[$key]} MiB after GC;" \
            "warm-up ${WARMUP[$key]:-?}; first slice >= 80 %: ${FIRST80[$key]}; steady ${STEADY_RPS[$key]} req/s; slices: ${slices[*]}"
    done
done

# --- RSS over flips ----------------------------------------------------------------------------------------------------
FLIP_LINE="not run (FLIPS=0)"
if ((FLIPS > 0)); then
    first="${FLIP_VARIANT:-${VARIANTS##* }}"
    out="$WORK/flips.log"
    start_server "$first" models "$out"; wait_ready "$out"
    for v in "$V2" "$V1" "$V2" "$V1"; do activate "$v" || die "flip failed"; done # both versions loaded once
    flips() { # count
        local n
        for n in $(seq "$1"); do
            if ((n % 2)); then activate "$V2"; else activate "$V1"; fi || die "flip $n failed"
            ((n % 250 == 0)) && log "$n flips, RSS $(rss_mib "$SERVER_PID") MiB"
        done
        return 0
    }
    pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f %%", 100 * (b - a) / a }'; }
    rssw="$(rss_after_gc "$SERVER_PID" "$first")"
    flips "$WARM_FLIPS"
    rss0="$(rss_after_gc "$SERVER_PID" "$first")"
    t0=$SECONDS
    flips "$FLIPS"
    rss1="$(rss_after_gc "$SERVER_PID" "$first")"
    FLIP_LINE="$first (RSS after a full GC each time): $rssw MiB before, $rss0 MiB after $WARM_FLIPS warm-up flips ($(pct "$rssw" "$rss0"));"
    FLIP_LINE+=" then $rss1 MiB after $FLIPS more flips ($(pct "$rss0" "$rss1")) in $((SECONDS - t0)) s"
    stop_server
fi

# --- report -------------------------------------------------------------------------------------------------------------
echo
echo "Cold start: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, app jar sha256 $APP_SHA, commit $(git -C "$REPO" rev-parse --short HEAD)"
[[ -n $BASE_APP ]] && echo "base build for the *-base variants: app jar sha256 $(sha256sum "$BASE_APP"/app/*.jar | cut -c1-12)"
[[ -n $FASTJAR_APP ]] && echo "fast-jar build for the *-fastjar variants: app jar sha256 $(sha256sum "$FASTJAR_APP"/app/*.jar | cut -c1-12)"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{ print $3 }') on 127.0.0.1 (external); wrk -t$WRK_THREADS -c$CONNS OIP v2 linear;"
echo "$SLICES x 1 s slices from readiness UP, then ${STEADY} s steady state in the same process. Load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
# the lowest slice from the 6th on (after the goal's 5 s): none when there are fewer than 6
MIN_HEAD="min 6-$SLICES"; ((SLICES >= 6)) || MIN_HEAD="min 6+"
printf '| %-16s | %3s | %14s | %14s | %8s | %10s | %9s | %8s | %-60s |\n' variant rep "ready, no model" "ready, linear" \
    "RSS idle" "steady r/s" "1st >=80%" "$MIN_HEAD" "slices 1-10, % of steady"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' ------------------: -----: ----------------: ----------------: ----------: ------------: \
    -----------: ----------: --------------------------------------------------------------
for variant in $VARIANTS; do
    for rep in $(seq "$REPS"); do
        key="$variant#$rep"
        pct="$(awk -v s="${STEADY_RPS[$key]}" '{ for (i = 1; i <= 10 && i <= NF; i++) printf "%s%.0f", (i > 1 ? " " : ""), 100 * $i / s }' \
            <<<"${SLICE_LIST[$key]}")"
        printf '| %-16s | %3s | %11s ms | %11s ms | %4s MiB | %10s | %9s | %8s | %-60s |\n' "$variant" "$rep" \
            "${READY_EMPTY[$key]}" "${READY_MODELS[$key]}" "${RSS_IDLE[$key]}" "${STEADY_RPS[$key]}" "${FIRST80[$key]}" \
            "${MIN_AFTER5[$key]}" "$pct"
    done
done
echo
echo "ready = process launch to /q/health/ready 200. '1st >=80%' = the first 1 s slice after ready at >= 80 % of steady"
echo "state (goal: <= 5); '$MIN_HEAD' = the lowest of slices 6-$SLICES as % of steady ('-' with fewer than 6 slices). RSS idle = VmRSS ${IDLE_SETTLE} s after ready, no model, right after a full GC (jcmd GC.run); as read before it: see the per-run lines."
echo "Flips: $FLIP_LINE"
for variant in $VARIANTS; do
    for rep in $(seq "$REPS"); do echo "slices $variant#$rep (req/s): ${SLICE_LIST[$variant#$rep]}; RSS idle before the GC ${RSS_RAW[$variant#$rep]} MiB; warm-up ${WARMUP[$variant#$rep]:-?}"; done
done
