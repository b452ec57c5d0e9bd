package dev.turnout.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.db.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes an event, and a delivery row for each webhook that wants it, in the caller's transaction: the event exists
 * exactly when the change it reports was committed. Knows no domain; the registry and rollout describe their changes.
 */
@ApplicationScoped
public class EventOutbox {

    private final Sql sql;
    private final ObjectMapper mapper;
    private final Webhooks webhooks;

    public EventOutbox(Sql sql, ObjectMapper mapper, Webhooks webhooks) {
        this.sql = sql;
        this.mapper = mapper;
        this.webhooks = webhooks;
    }

    /** Records {@code event}; its id and {@code time} are added here. The caller's transaction is required. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void write(Event event) {
        Instant time = Instant.now().truncatedTo(ChronoUnit.MICROS); // what PostgreSQL keeps, so API and payload agree
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("type", event.type().wireName());
        payload.put("model", event.model());
        payload.put("version", event.version());
        payload.put("previous_version", event.previousVersion());
        payload.put("actor", event.actor());
        payload.put("reason", event.reason());
        payload.put("time", time.toString());
        event.details().forEach(payload::putIfAbsent);
        String json;
        try {
            json = mapper.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an event payload is not JSON-serialisable", e);
        }
        Number id = (Number) sql.value("INSERT INTO event_outbox (type, model, version, payload, "
                        + "created_at) VALUES (?1, ?2, ?3, CAST(?4 AS jsonb), ?5) RETURNING id",
                event.type().wireName(), event.model(), event.version(), json, time);
        for (String webhook : webhooks.wanting(event.type())) {
            sql.update("INSERT INTO webhook_delivery (event_id, webhook, next_attempt_at) "
                            + "VALUES (?1, ?2, now())", id.longValue(), webhook);
        }
    }
}
