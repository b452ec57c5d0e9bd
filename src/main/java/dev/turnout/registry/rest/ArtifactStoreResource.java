package dev.turnout.registry.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.ArtifactMigration;
import dev.turnout.registry.RegistryRules;
import dev.turnout.security.Roles;
import dev.turnout.storage.StoreKind;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;

/** Operator calls on the artifact stores. */
@Path("/api/artifacts")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Registry")
public class ArtifactStoreResource {

    private static final List<String> FIELDS = List.of("from", "to");

    private final ArtifactMigration migration;
    private final ObjectMapper mapper;

    public ArtifactStoreResource(ArtifactMigration migration, ObjectMapper mapper) {
        this.migration = migration;
        this.mapper = mapper;
    }

    @POST
    @Path("/copy")
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Move every artifact from one store to another",
            description = "Copies each artifact still in 'from' to 'to', checks its sha256 on both sides, then points "
                    + "its row at 'to' and deletes it from 'from'. Idempotent and resumable: run it again to carry on. "
                    + "Answers when done; one copy runs at a time.")
    @RequestBody(description = "{\"from\": \"postgres\", \"to\": \"filesystem\"}")
    @APIResponse(responseCode = "200", description = "moved, failed (sha256: why), remaining in 'from'")
    @APIResponse(responseCode = "400", description = "Unknown or unconfigured store, the same store twice, or a field "
            + "other than from and to")
    @APIResponse(responseCode = "409", description = "A copy is already running (on this or another replica)")
    public ArtifactMigration.Outcome copy(String body) {
        JsonNode request = RegistryJson.parse(mapper, "body", body == null ? "" : body);
        if (request == null || !request.isObject()) {
            throw TurnoutException.invalid("the body must be a JSON object {\"from\": store, \"to\": store}");
        }
        // an option the copy does not have ("dry_run") must not be ignored: the copy would move everything
        for (Iterator<String> names = request.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!FIELDS.contains(field)) {
                throw TurnoutException.invalid("unknown field '" + RegistryRules.printable(field) + "'; accepted: "
                        + String.join(", ", FIELDS) + " (the copy takes no other options)");
            }
        }
        return migration.copy(store(request, "from"), store(request, "to"));
    }

    private static StoreKind store(JsonNode request, String field) {
        String known = Arrays.stream(StoreKind.values()).map(StoreKind::id).collect(Collectors.joining(", "));
        JsonNode value = request.get(field);
        if (value == null || !value.isTextual()) {
            throw TurnoutException.invalid("'" + field + "' must name a store: " + known);
        }
        return StoreKind.parse(value.asText()).orElseThrow(() -> TurnoutException.invalid(
                "'" + field + "' is '" + RegistryRules.printable(value.asText()) + "', which is no store; known: "
                        + known));
    }
}
