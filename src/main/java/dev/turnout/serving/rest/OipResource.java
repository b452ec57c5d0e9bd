package dev.turnout.serving.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.engine.ModelFormat;
import dev.turnout.engine.Signature;
import dev.turnout.engine.TensorSpec;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.RegistryRules;
import dev.turnout.registry.RegistryService;
import dev.turnout.registry.ServableVersion;
import dev.turnout.serving.ModelServer;
import dev.turnout.serving.ServingReadiness;
import org.eclipse.microprofile.health.Readiness;
import dev.turnout.serving.ServedModel;
import dev.turnout.http.WholeBody;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import java.util.List;
import java.util.Optional;

/** KServe Open Inference Protocol v2, REST binding. */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Open Inference Protocol v2")
public class OipResource {

    /** The binary extension's header, as the API description shows it (read from the headers as sent, see infer). */
    private static final String BINARY_HEADER_DOC = "binary tensor data extension: the length in bytes of the JSON at "
            + "the start of the body, from 1 to the body's length; the tensor bytes follow it. Without it the body is "
            + "all JSON; sent empty or twice, it is a 400";

    private final Predictions predictions;
    private final ModelServer server;
    private final ServingReadiness readiness;
    private final RegistryService registry;
    private final String serverVersion;
    private final ObjectMapper mapper;

    public OipResource(Predictions predictions, ModelServer server, @Readiness ServingReadiness readiness,
                       RegistryService registry,
                       ObjectMapper mapper, @ConfigProperty(name = "quarkus.application.version", defaultValue = "dev") String serverVersion) {
        this.predictions = predictions;
        this.mapper = mapper;
        this.server = server;
        this.readiness = readiness;
        this.registry = registry;
        this.serverVersion = serverVersion;
    }

    public record ServerMetadata(String name, String version, List<String> extensions) {
    }

    public record Live(boolean live) {
    }

    /** The spec's ready response carries "live"; "ready" is added as KServe's servers do. */
    public record Ready(boolean live, boolean ready) {
    }

    public record ModelReady(String name, boolean ready) {
    }

    public record ModelMetadata(String name, List<String> versions, String platform, List<TensorSpec> inputs,
                                List<TensorSpec> outputs) {
    }

    @GET
    @Operation(summary = "Server metadata")
    public ServerMetadata metadata() {
        return new ServerMetadata("turnout", serverVersion, List.of("binary_tensor_data"));
    }

    @GET
    @Path("/health/live")
    @Operation(summary = "Server live")
    public Live live() {
        return new Live(true);
    }

    @GET
    @Path("/health/ready")
    @Operation(summary = "Server ready", description = "200 once the active version of every model is loaded and its request path "
            + "warmed (turnout.serving.warmup.*), else 503.")
    @APIResponse(responseCode = "200", description = "Ready", content = @Content(schema = @Schema(implementation = Ready.class)))
    @APIResponse(responseCode = "503", description = "Not ready", content = @Content(schema = @Schema(implementation = Ready.class)))
    public Response ready() {
        boolean ready = readiness.ready();
        return Response.status(ready ? 200 : 503).entity(new Ready(true, ready)).build();
    }

    @GET
    @Path("/models/{name}")
    @Operation(summary = "Model metadata (active version)")
    public ModelMetadata modelMetadata(@RestPath String name) {
        predictions.checkAccess();
        RegistryRules.checkModelName(name);
        Optional<ServedModel> served = server.servedActive(name);
        if (served.isPresent()) {
            return metadata(name, served.get().format(), served.get().signature());
        }
        ServableVersion active = registry.activeVersion(name).orElseThrow(() -> TurnoutException.notFound(
                "model '" + name + "' has no active version"));
        return metadata(name, active.artifact().format(), active.signature());
    }

    @GET
    @Path("/models/{name}/versions/{version}")
    @Operation(summary = "Model metadata (a given version)")
    public ModelMetadata versionMetadata(@RestPath String name, @RestPath String version) {
        predictions.checkAccess();
        ServableVersion servable = registry.servableVersion(RegistryRules.checkModelName(name),
                RegistryRules.checkVersionNumber(version));
        return metadata(name, servable.artifact().format(), servable.signature());
    }

    @GET
    @Path("/models/{name}/ready")
    @Operation(summary = "Model ready (active version)", description = "200 when loaded here, 503 when not (yet).")
    @APIResponse(responseCode = "200", description = "Loaded here", content = @Content(schema = @Schema(implementation = ModelReady.class)))
    @APIResponse(responseCode = "503", description = "Not loaded here (yet)",
            content = @Content(schema = @Schema(implementation = ModelReady.class)))
    public Response modelReady(@RestPath String name) {
        predictions.checkAccess();
        RegistryRules.checkModelName(name);
        boolean ready = server.servedActive(name).isPresent();
        if (!ready) {
            registry.getModel(name); // 404 for an unknown model
        }
        return Response.status(ready ? 200 : 503).entity(new ModelReady(name, ready)).build();
    }

    @GET
    @Path("/models/{name}/versions/{version}/ready")
    @Operation(summary = "Model ready (a given version)")
    @APIResponse(responseCode = "200", description = "Loaded here", content = @Content(schema = @Schema(implementation = ModelReady.class)))
    @APIResponse(responseCode = "503", description = "Not loaded here (yet)",
            content = @Content(schema = @Schema(implementation = ModelReady.class)))
    public Response versionReady(@RestPath String name, @RestPath String version) {
        predictions.checkAccess();
        int number = RegistryRules.checkVersionNumber(version);
        RegistryRules.checkModelName(name);
        boolean ready = server.servedVersion(name, number).isPresent();
        if (!ready) {
            registry.servableVersion(name, number); // 404 for an unknown model or version
        }
        return Response.status(ready ? 200 : 503).entity(new ModelReady(name, ready)).build();
    }

    @POST
    @WholeBody
    @Path("/models/{name}/infer")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Inference (active version)")
    @Parameter(name = BinaryTensors.HEADER, in = ParameterIn.HEADER, description = BINARY_HEADER_DOC)
    public Uni<Response> infer(@RestPath String name, HttpHeaders headers, byte[] body) {
        return infer(name, null, headers, body);
    }

    @POST
    @WholeBody
    @Path("/models/{name}/versions/{version}/infer")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Inference (a given version, loaded on demand)")
    @Parameter(name = BinaryTensors.HEADER, in = ParameterIn.HEADER, description = BINARY_HEADER_DOC)
    public Uni<Response> inferVersion(@RestPath String name, @RestPath String version, HttpHeaders headers,
                                      byte[] body) {
        return infer(name, version, headers, body);
    }

    /** Without Inference-Header-Content-Length the body is all JSON; with it, tensor bytes may follow the JSON. */
    private Uni<Response> infer(String name, String version, HttpHeaders headers, byte[] body) {
        // from the headers as sent: a header parameter sent empty reaches the method as null, i.e. as no header, and
        // one sent twice as its first value
        String headerLength = BinaryTensors.Section.sentOnce(headers.getRequestHeader(BinaryTensors.HEADER));
        var limits = predictions.limits();
        return predictions.serveBody(name, version, body, bytes -> {
            int length = bytes == null ? 0 : BinaryTensors.Section.headerLength(headerLength, bytes.length);
            JsonNode json = predictions.readInferenceRequest(bytes, length);
            return lease -> {
                ServedModel model = lease.model();
                BinaryTensors.Section binary = headerLength == null ? BinaryTensors.Section.NONE
                        : new BinaryTensors.Section(bytes, length);
                OipCodec.Request request = OipCodec.decode(json, model.signature(), limits.maxInputs(),
                        limits.maxTensorElements(), binary);
                var outputs = predictions.run(lease, request.inputs());
                return OipCodec.answer(mapper, request, OipCodec.encode(name, model.version(), request, outputs),
                        outputs);
            };
        });
    }

    private ModelMetadata metadata(String name, ModelFormat format, Signature signature) {
        List<String> versions = registry.versionNumbers(name).stream().map(String::valueOf).toList();
        String platform = format == ModelFormat.ONNX ? "onnx_onnxv1" : "pytorch_torchscript";
        return new ModelMetadata(name, versions, platform, signature.inputs(), signature.outputs());
    }
}
