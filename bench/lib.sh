# Shared by the bench scripts (sourced, not run). Needs WORK, APP_DIR (may be empty), SOURCE_APP and a log function.

# The server a run uses: APP_DIR as it is when set, else a private copy of SOURCE_APP (a rebuild during the run
# cannot change it; the caller deletes it when APP_COPIED is set). Sets APP_DIR, APP_COPIED and APP_SHA.
prepare_server_copy() {
    if [[ -z $APP_DIR ]]; then
        APP_DIR="$WORK/app"
        log "copying $SOURCE_APP to $APP_DIR (for this run only)"
        cp -r "$SOURCE_APP" "$APP_DIR"
        APP_COPIED="$SOURCE_APP"
    fi
    APP_SHA="$(sha256sum "$APP_DIR"/app/*.jar | cut -c1-12)"
}

# A bearer token for this run's /api calls: the server gets only its SHA-256 (TOKEN_SHA); curl reads the header
# from a file of mode 600 (AUTH=(-H @file)), so the token is in no process's arguments.
make_run_token() {
    TOKEN="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
    TOKEN_SHA="$(printf %s "$TOKEN" | sha256sum | cut -d' ' -f1)"
    (umask 077 && printf 'Authorization: Bearer %s\n' "$TOKEN" >"$WORK/auth.header")
    AUTH=(-H "@$WORK/auth.header")
}

# Installs the Debian packages a benchmark needs and this machine lacks (as root, through apt-get: Debian's archive is
# reachable from the benchmark machines); anything else stops the run with the list to install by hand.
ensure_debian_packages() {
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
    done
    (( ${#missing[@]} == 0 )) && return 0
    if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
        die "missing Debian packages: ${missing[*]} (apt-get install ${missing[*]})"
    fi
    log "installing the missing Debian packages: ${missing[*]}"
    local apt_log
    apt_log="$(mktemp /tmp/turnout-bench-apt.XXXXXX)"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$apt_log" 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$apt_log" 2>&1
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>"$apt_log" 2>&1 \
            || { tail -20 "$apt_log" >&2; die "apt-get install ${missing[*]} failed"; }
    fi
    rm -f "$apt_log"
}

# Stops a process started by the script: SIGNAL, then SIGKILL after TIMEOUT seconds; waits for it.
stop_pid() { # pid name signal timeout
    local pid=$1 name=$2 signal=$3 timeout=$4
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill "-$signal" "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + timeout))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name (pid $pid) still running ${timeout}s after SIG$signal: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# Initialises PGDATA (owned by the postgres user) and starts Debian's PostgreSQL on 127.0.0.1:PG_PORT, logging to
# $WORK/postgres.log; extra arguments are added to the server's options (-c name=value ...). Needs PG_BIN, PGDATA,
# PG_PORT, PG_TIMEOUT, WORK, log and die; sets PG_STARTED so the caller's cleanup stops it.
start_bench_postgres() {
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    log "initdb + start PostgreSQL on 127.0.0.1:$PG_PORT"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$PGDATA" -A trust -U postgres --no-sync >"$WORK/initdb.log" 2>&1 \
        || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
    touch "$WORK/postgres.log" && chown postgres "$WORK/postgres.log"
    PG_STARTED=1
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$WORK/postgres.log" -w -t "$PG_TIMEOUT" \
        -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PGDATA $*" \
        start >/dev/null || { cat "$WORK/postgres.log" >&2; die "PostgreSQL did not start"; }
}
