package dev.turnout.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.db.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/** What operators read: the outbox and the delivery log, newest first, a page at a time. */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRED)
public class EventLog {

    /** An event as stored and as posted (the body is {@code payload} with {@code id}). */
    public record EventView(long id, String type, String model, Integer version, Instant createdAt, JsonNode payload) {
    }

    /** One event's delivery to one webhook, after its latest attempt. */
    public record DeliveryView(long id, long eventId, String webhook, String type, String model, Integer version,
                               String status, int attempts, Integer httpStatus, String error, Instant nextAttemptAt,
                               Instant deliveredAt, Instant createdAt) {
    }

    /** A page, newest first; {@code more} when older rows follow the last. */
    public record Page<T>(List<T> items, boolean more) {
    }

    private final Sql sql;
    private final ObjectMapper mapper;

    public EventLog(Sql sql, ObjectMapper mapper) {
        this.sql = sql;
        this.mapper = mapper;
    }

    /** Events with an id below {@code beforeId}, newest first, at most {@code limit}. */
    public Page<EventView> events(long beforeId, int limit) {
        List<Object[]> rows = sql.rows("SELECT id, type, model, version, created_at, "
                        + "payload::text FROM event_outbox WHERE id < ?1 ORDER BY id DESC LIMIT ?2", beforeId, limit + 1);
        return page(rows.stream().map(row -> new EventView(((Number) row[0]).longValue(), (String) row[1],
                (String) row[2], (Integer) row[3], instant(row[4]), json((String) row[5]))).toList(), limit);
    }

    /** Deliveries with an id below {@code beforeId}, newest first, at most {@code limit}. */
    public Page<DeliveryView> deliveries(long beforeId, int limit) {
        List<Object[]> rows = sql.rows("SELECT d.id, d.event_id, d.webhook, e.type, e.model, "
                        + "e.version, d.status, d.attempts, d.http_status, d.error, d.next_attempt_at, d.delivered_at, "
                        + "d.created_at FROM webhook_delivery d JOIN event_outbox e ON e.id = d.event_id "
                        + "WHERE d.id < ?1 ORDER BY d.id DESC LIMIT ?2", beforeId, limit + 1);
        return page(rows.stream().map(row -> new DeliveryView(((Number) row[0]).longValue(),
                ((Number) row[1]).longValue(), (String) row[2], (String) row[3], (String) row[4], (Integer) row[5],
                (String) row[6], ((Number) row[7]).intValue(), (Integer) row[8], (String) row[9], instant(row[10]),
                instant(row[11]), instant(row[12]))).toList(), limit);
    }

    private static <T> Page<T> page(List<T> fetched, int limit) {
        return fetched.size() > limit ? new Page<>(fetched.subList(0, limit), true) : new Page<>(fetched, false);
    }

    private JsonNode json(String text) {
        try {
            return mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event_outbox.payload is jsonb, so always JSON", e);
        }
    }

    private static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Instant instant) {
            return instant;
        }
        if (value instanceof OffsetDateTime offset) {
            return offset.toInstant();
        }
        return ((java.sql.Timestamp) value).toInstant();
    }
}
