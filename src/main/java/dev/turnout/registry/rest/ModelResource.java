package dev.turnout.registry.rest;

import jakarta.annotation.security.RolesAllowed;
import dev.turnout.security.Roles;
import dev.turnout.registry.ModelInfo;
import dev.turnout.registry.RegistryService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

@Path("/api/models")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Registry")
public class ModelResource {

    private final RegistryService registry;

    public ModelResource(RegistryService registry) {
        this.registry = registry;
    }

    @GET
    @RolesAllowed({Roles.VIEWER, Roles.PUBLISHER, Roles.OPERATOR})
    @Operation(summary = "List models", description = "Every registered model, by name, with its active and latest version.")
    public List<ModelInfo> list() {
        return registry.listModels();
    }
}
