package dev.turnout.serving.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.engine.DataType;
import dev.turnout.engine.Signature;
import dev.turnout.engine.Tensor;
import dev.turnout.engine.TensorSpec;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.RegistryRules;
import dev.turnout.registry.RegistryService;
import dev.turnout.registry.ServableVersion;
import dev.turnout.serving.ModelServer;
import dev.turnout.serving.ServedModel;
import dev.turnout.http.WholeBody;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** TensorFlow Serving's REST API: predict (row and columnar forms), model status and metadata. */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "TF Serving REST")
public class TfServingResource {

    static final String SIGNATURE_NAME = "serving_default";

    private final Predictions predictions;
    private final ModelServer server;
    private final RegistryService registry;

    public TfServingResource(Predictions predictions, ModelServer server, RegistryService registry) {
        this.predictions = predictions;
        this.server = server;
        this.registry = registry;
    }

    @POST
    @WholeBody
    @Path("/{name}:predict")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Predict (active version)", description = "{\"instances\": [...]} answers {\"predictions\": [...]}; "
            + "{\"inputs\": ...} answers {\"outputs\": ...}.")
    public Uni<Response> predict(@RestPath String name, byte[] body) {
        return predict(name, null, body);
    }

    @POST
    @WholeBody
    @Path("/{name}/versions/{version}:predict")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Predict (a given version, loaded on demand)")
    public Uni<Response> predictVersion(@RestPath String name, @RestPath String version, byte[] body) {
        return predict(name, version, body);
    }

    @GET
    @Path("/{name: [^:/]+}") // not ".../x:predict": that path is the POST route's, and a GET of it a 405
    @Operation(summary = "Model status")
    public Map<String, Object> status(@RestPath String name) {
        predictions.checkAccess();
        RegistryRules.checkModelName(name);
        List<Map<String, Object>> statuses = new ArrayList<>();
        server.servedActive(name).ifPresent(model -> statuses.add(status(model.version(), "AVAILABLE", "OK", "")));
        ModelServer.FailedVersion failure = server.failure(name).orElse(null);
        if (failure != null) {
            statuses.add(status(failure.version(), "LOADING", "UNAVAILABLE", failure.error()));
        }
        if (statuses.isEmpty()) {
            registry.getModel(name); // 404 for an unknown model
        }
        return Map.of("model_version_status", statuses);
    }

    @GET
    @Path("/{name}/metadata")
    @Operation(summary = "Model metadata (active version)")
    public Map<String, Object> metadata(@RestPath String name) {
        predictions.checkAccess();
        RegistryRules.checkModelName(name);
        ServableVersion active = registry.activeVersion(name).orElseThrow(() -> TurnoutException.notFound(
                "model '" + name + "' has no active version"));
        return metadata(active);
    }

    @GET
    @Path("/{name}/versions/{version}/metadata")
    @Operation(summary = "Model metadata (a given version)")
    public Map<String, Object> versionMetadata(@RestPath String name, @RestPath String version) {
        predictions.checkAccess();
        return metadata(registry.servableVersion(RegistryRules.checkModelName(name),
                RegistryRules.checkVersionNumber(version)));
    }

    private Uni<Response> predict(String name, String version, byte[] body) {
        int maxElements = predictions.limits().maxTensorElements();
        return predictions.serve(name, version, body, json -> {
            if (!json.isObject()) {
                throw TurnoutException.invalid("the request must be a JSON object with 'instances' or 'inputs'");
            }
            JsonNode signatureName = json.get("signature_name");
            if (signatureName != null && !SIGNATURE_NAME.equals(signatureName.asText())) {
                throw TurnoutException.invalid("unknown signature_name; this model has only '" + SIGNATURE_NAME + "'");
            }
            boolean rows = json.has("instances");
            if (rows == json.has("inputs")) {
                throw TurnoutException.invalid("send exactly one of 'instances' (row format) or 'inputs' (columnar format)");
            }
            return lease -> {
                ServedModel model = lease.model();
                Tensor[] inputs = rows ? SimpleCodec.rows(json.get("instances"), model.signature(), maxElements)
                        : SimpleCodec.columns(json.get("inputs"), model.signature(), maxElements, "'inputs'");
                Tensor[] outputs = predictions.run(lease, inputs);
                return rows ? Map.of("predictions", SimpleCodec.rowsOut(outputs))
                        : Map.of("outputs", SimpleCodec.columnsOut(outputs));
            };
        });
    }

    private static Map<String, Object> status(int version, String state, String code, String message) {
        return Map.of("version", Integer.toString(version), "state", state,
                "status", Map.of("error_code", code, "error_message", message));
    }

    private static Map<String, Object> metadata(ServableVersion version) {
        Signature signature = version.signature();
        Map<String, Object> signatureDef = Map.of(
                "inputs", tensorInfos(signature.inputs()),
                "outputs", tensorInfos(signature.outputs()),
                "method_name", "tensorflow/serving/predict");
        return Map.of(
                "model_spec", Map.of("name", version.model(), "signature_name", "",
                        "version", Integer.toString(version.version())),
                "metadata", Map.of("signature_def", Map.of("signature_def", Map.of(SIGNATURE_NAME, signatureDef))));
    }

    private static Map<String, Object> tensorInfos(List<TensorSpec> specs) {
        Map<String, Object> infos = new LinkedHashMap<>();
        for (TensorSpec spec : specs) {
            List<Map<String, String>> dims = spec.shape().stream()
                    .map(d -> Map.of("size", Long.toString(d), "name", "")).toList();
            infos.put(spec.name(), Map.of("dtype", tfType(spec.datatype()), "tensor_shape", Map.of("dim", dims),
                    "name", spec.name()));
        }
        return infos;
    }

    private static String tfType(DataType type) {
        return switch (type) {
            case BOOL -> "DT_BOOL";
            case UINT8 -> "DT_UINT8";
            case INT8 -> "DT_INT8";
            case INT16 -> "DT_INT16";
            case INT32 -> "DT_INT32";
            case INT64 -> "DT_INT64";
            case FP16 -> "DT_HALF";
            case FP32 -> "DT_FLOAT";
            case FP64 -> "DT_DOUBLE";
        };
    }
}
