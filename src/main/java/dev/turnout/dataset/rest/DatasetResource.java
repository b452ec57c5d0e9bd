package dev.turnout.dataset.rest;

import dev.turnout.dataset.DatasetCatalog;
import dev.turnout.dataset.DatasetInfo;
import dev.turnout.http.ListCursor;
import dev.turnout.registry.RegistryRules;
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

@Path("/api/datasets")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Datasets")
public class DatasetResource {

    private static final ListCursor CURSOR = new ListCursor("datasets");

    private final DatasetCatalog catalog;

    public DatasetResource(DatasetCatalog catalog) {
        this.catalog = catalog;
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.PUBLISHER, Roles.OPERATOR})
    @Operation(summary = "List datasets", description = "By name, with their latest version and version count. At "
            + "most ?limit= (default 100, at most 1000); when more follow, the Next-Cursor header (and Link rel=next) "
            + "gives the ?cursor= of the next page.")
    @APIResponse(responseCode = "200", description = "A JSON array of datasets", content = @Content(
            schema = @Schema(type = SchemaType.ARRAY, implementation = DatasetInfo.class)))
    @APIResponse(responseCode = "400", description = "Malformed limit or cursor")
    public Response list(@RestQuery String limit, @RestQuery String cursor, UriInfo uri) {
        int count = ListCursor.limit(limit);
        String after = CURSOR.after(cursor);
        if (after != null && !after.matches(RegistryRules.MODEL_NAME_PATTERN)) {
            throw CURSOR.invalidCursor();
        }
        var page = catalog.datasets(after == null ? "" : after, count);
        return CURSOR.answer(page.items(), page.more(), DatasetInfo::name, uri);
    }
}
