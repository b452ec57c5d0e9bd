package dev.turnout.serving.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.config.TurnoutConfig;
import dev.turnout.engine.Tensor;
import dev.turnout.error.TurnoutException;
import dev.turnout.http.WholeBody;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Map;
import java.util.Optional;

/** The original Flask service's contract: {@code {"example": [[3.0]]}} answers {@code {"prediction": [[7.0]]}}. */
@Path("/predict")
@Tag(name = "Simple predict")
public class SimplePredictResource {

    private final Predictions predictions;
    private final Optional<String> defaultModel;

    public SimplePredictResource(Predictions predictions, TurnoutConfig config) {
        this.predictions = predictions;
        this.defaultModel = config.serving().defaultModel();
    }

    @POST
    @WholeBody
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Predict with the default model",
            description = "Serves the active version of turnout.serving.default-model. The body is {\"example\": X} or "
                    + "(Lambda style) {\"input_data\": X}; X is nested arrays for a single-input model, or an object "
                    + "keyed by input name.")
    public Uni<Response> predict(byte[] body) {
        String name = defaultModel.orElseThrow(() -> TurnoutException.notFound("POST /predict serves the model named "
                + "by turnout.serving.default-model (env TURNOUT_SERVING_DEFAULT_MODEL), which is not set"));
        return predictions.serve(name, null, body, json -> {
            boolean example = json.has("example");
            if (!json.isObject() || example == json.has("input_data")) {
                throw TurnoutException.invalid("send {\"example\": [[...]]} or {\"input_data\": [[...]]}");
            }
            JsonNode value = json.get(example ? "example" : "input_data");
            String what = example ? "'example'" : "'input_data'";
            return lease -> {
                Tensor[] inputs = SimpleCodec.columns(value, lease.model().signature(),
                        predictions.limits().maxTensorElements(), what);
                return Map.of("prediction", SimpleCodec.columnsOut(predictions.run(lease, inputs)));
            };
        });
    }
}
