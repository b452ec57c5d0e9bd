package dev.turnout.events.rest;

import dev.turnout.error.TurnoutException;
import dev.turnout.events.EventLog;
import dev.turnout.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

import java.net.URI;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The outbox and the webhook delivery log, for operators. Paged like the registry lists: a JSON array, and when older
 * rows follow, {@code Next-Cursor} and {@code Link: <...>; rel="next"}; here the cursor is the last id shown.
 */
@Path("/api/events")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Events")
public class EventResource {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    static final String NEXT_CURSOR = "Next-Cursor";

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
        EventLog.Page<EventLog.EventView> page = log.events(before(cursor), limit(limit));
        return answer(page.items(), page.more(), EventLog.EventView::id, uri);
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
        EventLog.Page<EventLog.DeliveryView> page = log.deliveries(before(cursor), limit(limit));
        return answer(page.items(), page.more(), EventLog.DeliveryView::id, uri);
    }

    static int limit(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text.trim());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw TurnoutException.invalid("'limit' must be a whole number from 1 to " + MAX_LIMIT + " (default "
                + DEFAULT_LIMIT + ")");
    }

    /** Rows older than the cursor; the first page without one. */
    static long before(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return Long.MAX_VALUE;
        }
        try {
            long id = Long.parseLong(cursor);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw TurnoutException.invalid("'cursor' is not one this list gave: pass the " + NEXT_CURSOR
                + " of the previous page unchanged, or leave it out for the first page");
    }

    private static <T> Response answer(List<T> items, boolean more, ToLongFunction<T> id, UriInfo uri) {
        Response.ResponseBuilder answer = Response.ok(items);
        if (more) {
            String next = String.valueOf(id.applyAsLong(items.get(items.size() - 1)));
            URI nextPage = UriBuilder.fromUri(uri.getRequestUri()).replaceQueryParam("cursor", next).build();
            answer.header(NEXT_CURSOR, next)
                    .header("Link", "<" + nextPage.getRawPath() + "?" + nextPage.getRawQuery() + ">; rel=\"next\"");
        }
        return answer.build();
    }
}
