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
