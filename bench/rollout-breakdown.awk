# Used by rollout-harness.sh: where each flip's time went, from PostgreSQL's statement log (log_statement=mod,
# log_line_prefix '%m [%p] ', log_timezone UTC): the database is what a waiting flip reads, so its log is the truth.
#   awk -f rollout-breakdown.awk flips.tsv postgres.log
# flips.tsv columns: 1 flip, 3 target, 5 ms (curl's time_total: PUT sent -> answer), 10 done_at (UTC HH:MM:SS.mmm,
# taken right after curl returned). The PUT's send time is done_at - ms: curl's own start-up (tens of ms on a busy
# machine) is then not counted as flip time.
# Prints per flip:
#   commit_ms     PUT sent -> the flip's "update model set active_version" (its transaction commits right after)
#   propagate_ms  that -> the last replica's replica_model row says SERVING the target (event or heartbeat write)
#   answer_ms     that -> the 200 arrived (the waiting replica polls the rows every 50 ms)
#   last_replica  the replica whose row came last
function ms(t, a) { split(t, a, /[:.,]/); return ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4] }
FNR == 1 { file++ }
file == 1 { if (FNR > 1) { split($0, c, "\t"); target[c[1]] = c[3]; took[c[1]] = c[5]; sent[c[1]] = ms(c[10]) - c[5]; flips = c[1] } next }
{ split($0, f, " "); pid = f[4]; t = ms(f[2]) }
/LOG:  execute [^:]*: insert into activation / { activation[pid] = 1; next }
/LOG:  execute [^:]*: update model set active_version=/ { if (pid in flipof) { commit[flipof[pid]] = t; delete flipof[pid] } next }
/LOG:  execute [^:]*: INSERT INTO replica_model / { pending[pid] = t; next }
/DETAIL:  parameters: / {
    if (pid in activation) {
        delete activation[pid]
        if (match($0, /rollout harness flip [0-9]+'/)) flipof[pid] = substr($0, RSTART + 21, RLENGTH - 22) + 0
    } else if (pid in pending) {
        line = $0; sub(/.*parameters: /, "", line)
        n = split(line, p, /, \$[0-9]+ = /); sub(/^\$1 = /, "", p[1])
        for (i = 1; i <= n; i++) gsub(/'/, "", p[i])
        k = ++events[p[1]]; ev_t[p[1], k] = pending[pid]; ev_v[p[1], k] = p[2]; ev_s[p[1], k] = p[4]
        replicas[p[1]] = 1
        delete pending[pid]
    }
}
END {
    print "flip\tcommit_ms\tpropagate_ms\tanswer_ms\tlast_replica"
    for (n = 1; n <= flips; n++) {
        if (!(n in commit)) { print n "\t-\t-\t-\t-"; continue }
        last = -1; who = "-"
        for (r in replicas) {
            seen = -1
            for (k = 1; k <= events[r]; k++)
                if (ev_s[r, k] == "SERVING" && ev_v[r, k] == target[n] && ev_t[r, k] >= commit[n]) { seen = ev_t[r, k]; break }
            if (seen < 0) { last = -1; who = r " never"; break }
            if (seen > last) { last = seen; who = r }
        }
        if (last < 0) { print n "\t" commit[n] - sent[n] "\t-\t-\t" who; continue }
        print n "\t" commit[n] - sent[n] "\t" last - commit[n] "\t" sent[n] + took[n] - last "\t" who
    }
}
