# Used by rollout-harness.sh on PostgreSQL's log (log_statement=mod, log_line_prefix '%m [%p] ').
# replica_model writes from PostgreSQL's log (log_statement=mod): a SERVING row naming version x, written after the
# replica had already recorded that it serves a newer target y != x, is a stale (lost-update) write.
/LOG:  execute [^:]*: INSERT INTO replica_model/ { pid = $4; pend[pid] = $2; next }
/DETAIL:  parameters: / && ($4 in pend) {
    pid = $4; ts = pend[pid]; delete pend[pid]
    line = $0; sub(/.*parameters: /, "", line)
    n = split(line, p, /, \$[0-9]+ = /); sub(/^\$1 = /, "", p[1])
    for (i = 1; i <= n; i++) gsub(/'/, "", p[i])
    r = p[1]; serving = p[2]; target = p[3]; state = p[4]
    if (state == "LOADING") { want[r] = target; reached[r] = 0 }
    else if (state == "SERVING") {
        if (serving == want[r]) reached[r] = 1
        else if (reached[r] && want[r] != "") { stale++; printf "STALE %s UTC %s wrote serving=%s target=%s SERVING after it had recorded serving %s (pid %s)\n", ts, r, serving, target, want[r], pid }
    }
}
END { printf "STALE-COUNT %d\n", stale + 0 }
