package dev.turnout.serving.rest;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import dev.turnout.security.Roles;
import ai.djl.translate.TranslateException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.config.TurnoutConfig;
import dev.turnout.engine.OverloadedException;
import dev.turnout.engine.Tensor;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.RegistryRules;
import dev.turnout.serving.ModelServer;
import dev.turnout.serving.ServedModel;
import dev.turnout.serving.ServingMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.function.Function;

/** What every prediction endpoint shares: bounded body reading, leasing the model, running it, answer headers. */
@ApplicationScoped
public class Predictions {

    public static final String MODEL_HEADER = "X-Turnout-Model";
    public static final String VERSION_HEADER = "X-Turnout-Model-Version";
    public static final String DIGEST_HEADER = "X-Turnout-Model-Sha256";

    private static final Logger LOG = Logger.getLogger(Predictions.class);

    private final ModelServer server;
    private final TurnoutConfig.Serving limits;
    private final ObjectMapper reader;
    private final SecurityIdentity identity;
    private final boolean requireToken;

    public Predictions(ModelServer server, TurnoutConfig config, SecurityIdentity identity) {
        this.server = server;
        this.identity = identity;
        this.requireToken = config.security().enabled() && config.security().predictionsRequireToken();
        this.limits = config.serving();
        this.reader = new ObjectMapper(JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxJsonDepth())
                        .maxNumberLength(64)
                        .maxStringLength(1 << 20)
                        .build())
                .build());
    }

    TurnoutConfig.Serving limits() {
        return limits;
    }

    /**
     * Parses a request body. Bodies arrive whole (read by the I/O thread before the request is handed to a worker,
     * which saves two thread hand-offs per prediction); {@link dev.turnout.http.BodyLimits} has already refused any
     * over the size limit or without a Content-Length.
     */
    JsonNode read(byte[] body) {
        long limit = limits.maxRequestSize().asLongValue();
        if (body == null || body.length == 0) {
            throw TurnoutException.invalid("the request body is empty; send a JSON object");
        }
        if (body.length > limit) {
            throw new TurnoutException(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is over " + limit
                    + " bytes (turnout.serving.max-request-size)");
        }
        try {
            JsonNode node = reader.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw TurnoutException.invalid("the request body is empty; send a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw TurnoutException.invalid("the request body is not valid JSON (" + e.getOriginalMessage()
                    + "); nesting may be at most " + limits.maxJsonDepth() + " deep (turnout.serving.max-json-depth)");
        } catch (IOException e) {
            throw TurnoutException.invalid("the request body could not be read");
        }
    }

    /**
     * Serves one prediction: leases the version (active, or the one named), lets {@code handler} decode, run and
     * encode against it, records the outcome and latency for that version, and answers with the headers naming it.
     */
    Response serve(String name, String version, Function<ServedModel.Lease, Object> handler) {
        checkAccess();
        RegistryRules.checkModelName(name);
        Integer number = version == null ? null : RegistryRules.checkVersionNumber(version);
        try (ServedModel.Lease lease = number == null ? server.lease(name) : server.lease(name, number)) {
            ServedModel model = lease.model();
            long start = System.nanoTime();
            ServingMetrics.Outcome outcome = ServingMetrics.Outcome.ERROR;
            try {
                Object entity = handler.apply(lease);
                outcome = ServingMetrics.Outcome.OK;
                return answer(model, entity);
            } catch (OverloadedException e) {
                outcome = ServingMetrics.Outcome.OVERLOADED;
                throw e;
            } catch (TurnoutException e) {
                outcome = e.code().httpStatus() < 500 ? ServingMetrics.Outcome.INVALID : ServingMetrics.Outcome.UNAVAILABLE;
                throw e;
            } finally {
                if (model.meters() != null) {
                    model.meters().record(outcome, System.nanoTime() - start);
                }
            }
        }
    }

    Tensor[] run(ServedModel.Lease lease, Tensor[] inputs) {
        try {
            return lease.predict(inputs);
        } catch (OverloadedException e) {
            throw e;
        } catch (TranslateException | RuntimeException e) {
            LOG.errorf(e, "Inference failed on %s", lease.model());
            throw new TurnoutException(ErrorCode.INTERNAL, "the model failed to run on this input; the server log "
                    + "has the details");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TurnoutException(ErrorCode.UNAVAILABLE, "interrupted; retry");
        }
    }

    /** With turnout.security.predictions-require-token, predictions and metadata need the predictor role. */
    void checkAccess() {
        if (!requireToken) {
            return;
        }
        if (identity.isAnonymous()) {
            throw new UnauthorizedException();
        }
        if (!identity.hasRole(Roles.PREDICTOR)) {
            throw new ForbiddenException();
        }
    }

    /** A 200 naming the version that answered, and its digest. */
    private static Response answer(ServedModel model, Object entity) {
        return Response.ok(entity, MediaType.APPLICATION_JSON_TYPE)
                .header(MODEL_HEADER, model.name())
                .header(VERSION_HEADER, model.version())
                .header(DIGEST_HEADER, model.sha256())
                .build();
    }
}
