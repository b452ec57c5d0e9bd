package dev.turnout.registry.rest;

import jakarta.annotation.security.RolesAllowed;
import dev.turnout.http.ListCursor;
import dev.turnout.registry.ListPage;
import dev.turnout.security.Roles;
import dev.turnout.registry.ModelInfo;
import dev.turnout.registry.RegistryRules;
import dev.turnout.registry.RegistryService;
import dev.turnout.registry.TagFilter;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

import java.util.List;

@Path("/api/models")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Registry")
public class ModelResource {

    private static final ListCursor CURSOR = new ListCursor("models");

    private final RegistryService registry;

    public ModelResource(RegistryService registry) {
        this.registry = registry;
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.PUBLISHER, Roles.OPERATOR})
    @Operation(summary = "List models", description = "Registered models by name, with their active and latest "
            + "version. ?tag=name=value (or ?tag=name; repeatable, all must hold for one version): only models having "
            + "such a version. At most ?limit= (default 100, at most 1000); when more follow, the Next-Cursor header "
            + "(and Link rel=next) gives the ?cursor= of the next page.")
    @APIResponse(responseCode = "200", description = "A JSON array of models", content = @Content(
            schema = @Schema(type = SchemaType.ARRAY, implementation = ModelInfo.class)))
    @APIResponse(responseCode = "400", description = "Malformed tag, limit or cursor")
    public Response list(@RestQuery List<String> tag, @RestQuery String limit, @RestQuery String cursor,
                         UriInfo uri) {
        int count = ListCursor.limit(limit);
        // from the query as sent: the framework drops an empty value ("?tag=", "?tag"), which then filtered nothing
        List<TagFilter> tags = TagFilter.parseAll(uri.getQueryParameters().get("tag"));
        String after = CURSOR.after(cursor);
        if (after != null && !after.matches(RegistryRules.MODEL_NAME_PATTERN)) {
            throw CURSOR.invalidCursor();
        }
        ListPage<ModelInfo> page = registry.listModels(tags, after == null ? "" : after, count);
        return CURSOR.answer(page.items(), page.more(), ModelInfo::name, uri);
    }
}
