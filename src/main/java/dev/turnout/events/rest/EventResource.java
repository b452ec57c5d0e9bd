package dev.turnout.events.rest;

import dev.turnout.events.EventLog;
import dev.turnout.http.ListCursor;
import dev.turnout.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;


/**
 * The outbox and the webhook delivery log, for operators. Paged like the registry lists: a JSON array, and when older
 * rows follow, {@code Next-Cursor} and {@code Link: <...>; rel="next"} ({@link ListCursor}).
 */
@Path("/api/events")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Events")
public class EventResource {

    private static final ListCursor EVENTS = new ListCursor("events");
    private static final ListCursor DELIVERIES = new ListCursor("deliveries");

    private final EventLog log;

    public EventResource(EventLog log) {
        this.log = log;
    }

    @GET
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "List events", description = "Every registry and rollout change, newest first: what webhooks "
            + "receive. At most ?limit= (default 100, at most 1000); Next-Cursor gives the ?cursor= of older ones.")
    @APIResponse(responseCode = "200", description = "A JSON array of events", content = @Content(
            schema = @Schema(type = SchemaType.ARRAY, implementation = EventLog.EventView.class)))
    @APIResponse(responseCode = "400", description = "Malformed limit or cursor")
    public Response events(@RestQuery String limit, @RestQuery String cursor, UriInfo uri) {
        EventLog.Page<EventLog.EventView> page = log.events(before(EVENTS, cursor), ListCursor.limit(limit));
        return EVENTS.answer(page.items(), page.more(), event -> String.valueOf(event.id()), uri);
    }

    @GET
    @Path("/deliveries")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Webhook delivery log", description = "One line per event and webhook, newest first: status "
            + "(PENDING, DELIVERED, FAILED), attempts, the last HTTP status and error, when the next attempt is due. "
            + "Paged like GET /api/events.")
    @APIResponse(responseCode = "200", description = "A JSON array of deliveries", content = @Content(
            schema = @Schema(type = SchemaType.ARRAY, implementation = EventLog.DeliveryView.class)))
    @APIResponse(responseCode = "400", description = "Malformed limit or cursor")
    public Response deliveries(@RestQuery String limit, @RestQuery String cursor, UriInfo uri) {
        EventLog.Page<EventLog.DeliveryView> page = log.deliveries(before(DELIVERIES, cursor), ListCursor.limit(limit));
        return DELIVERIES.answer(page.items(), page.more(), delivery -> String.valueOf(delivery.id()), uri);
    }

    /** Rows older than the cursor (the last id shown); the first page without one. */
    private static long before(ListCursor cursor, String text) {
        String after = cursor.after(text);
        if (after == null) {
            return Long.MAX_VALUE;
        }
        try {
            long id = Long.parseLong(after);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw cursor.invalidCursor();
    }
}
