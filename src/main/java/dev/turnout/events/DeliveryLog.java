package dev.turnout.events;

import dev.turnout.db.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The delivery rows the deliverers share. A claim is a short transaction of its own that pushes the row's next
 * attempt past the post's timeout; the post runs outside any transaction, and its outcome is written afterwards.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED) // called from the deliverer's thread
public class DeliveryLog {

    /** A claimed delivery: what to post, where (by webhook name), and which attempt this is. */
    public record Claim(long id, long eventId, String webhook, String type, int attempt, String body) {
    }

    private final Sql sql;

    public DeliveryLog(Sql sql) {
        this.sql = sql;
    }

    /**
     * The oldest due delivery to one of {@code webhooks}, claimed for {@code lease}; SKIP LOCKED lets replicas
     * claiming at the same moment each take a different row instead of queueing behind one another.
     */
    public Optional<Claim> claim(List<String> webhooks, Duration lease) {
        List<Object[]> rows = sql.rows("UPDATE webhook_delivery d SET attempts = d.attempts + 1, "
                        + "next_attempt_at = now() + make_interval(secs => ?1) FROM event_outbox e "
                        + "WHERE e.id = d.event_id AND d.id = (SELECT id FROM webhook_delivery WHERE status = 'PENDING' "
                        + "AND next_attempt_at <= now() AND webhook = ANY(CAST(?2 AS text[])) ORDER BY id LIMIT 1 "
                        + "FOR UPDATE SKIP LOCKED) "
                        // The body as sent and signed: the stored payload with the event's id, in jsonb's own order.
                        + "RETURNING d.id, d.event_id, d.webhook, e.type, d.attempts, "
                        + "(jsonb_build_object('id', e.id) || e.payload)::text", (double) lease.toMillis() / 1000, "{" + String.join(",",
                        webhooks.stream().map(DeliveryLog::arrayElement).toList()) + "}");
        return rows.stream().findFirst().map(row -> new Claim(((Number) row[0]).longValue(),
                ((Number) row[1]).longValue(), (String) row[2], (String) row[3], ((Number) row[4]).intValue(),
                (String) row[5]));
    }

    public void delivered(long id, int httpStatus) {
        sql.update("UPDATE webhook_delivery SET status = 'DELIVERED', http_status = ?2, "
                        + "error = NULL, next_attempt_at = NULL, delivered_at = now() WHERE id = ?1", id, httpStatus);
    }

    /** A failed attempt: tried again after {@code retryIn}, or FAILED for good when {@code retryIn} is empty. */
    public void failed(long id, Integer httpStatus, String error, Optional<Duration> retryIn) {
        String shortened = error.length() > 1000 ? error.substring(0, 997) + "..." : error;
        sql.update("UPDATE webhook_delivery SET http_status = CAST(?2 AS integer), error = ?3, "
                        + "status = CASE WHEN ?4 THEN 'PENDING' ELSE 'FAILED' END, "
                        + "next_attempt_at = CASE WHEN ?4 THEN now() + make_interval(secs => ?5) END WHERE id = ?1",
                        id, httpStatus == null ? null : httpStatus.toString(), shortened, retryIn.isPresent(),
                        retryIn.map(wait -> (double) wait.toMillis() / 1000).orElse(0.0));
    }

    /** Webhook names are configuration keys; quoted so a comma or brace in one cannot split the array. */
    private static String arrayElement(String name) {
        return "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
