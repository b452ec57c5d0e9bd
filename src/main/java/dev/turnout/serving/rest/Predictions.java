package dev.turnout.serving.rest;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import dev.turnout.security.Roles;
import ai.djl.translate.TranslateException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.config.TurnoutConfig;
import dev.turnout.engine.OutputTooLargeException;
import dev.turnout.engine.OverloadedException;
import dev.turnout.engine.Tensor;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import dev.turnout.http.InFlightBodyBudget;
import dev.turnout.http.WholeBodyLimits;
import dev.turnout.registry.RegistryRules;
import dev.turnout.serving.InferenceExecutor;
import dev.turnout.serving.ModelServer;
import dev.turnout.serving.ServedModel;
import dev.turnout.serving.ServingMetrics;
import dev.turnout.serving.ShadowMirror;
import dev.turnout.serving.TrafficSplit;
import dev.turnout.serving.VersionTraffic;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * What every prediction endpoint shares: one hand-off off the event loop, bounded body parsing, leasing the model,
 * running it, answer headers.
 */
@ApplicationScoped
public class Predictions {

    public static final String MODEL_HEADER = "X-Turnout-Model";
    public static final String VERSION_HEADER = "X-Turnout-Model-Version";
    public static final String DIGEST_HEADER = "X-Turnout-Model-Sha256";

    private static final Logger LOG = Logger.getLogger(Predictions.class);
    /**
     * Bodies from this size on have their JSON tree charged to the in-flight budget; a smaller one's tree (at most a
     * few hundred KiB) is not worth the reader it takes.
     */
    static final int TREE_CHARGED_FROM = 8 * 1024;
    /** The tree charge of the request this thread parses; the parse and the answer run on one thread. */
    private static final ThreadLocal<TreeCharge> TREE_CHARGE = new ThreadLocal<>();

    private final ModelServer server;
    private final InferenceExecutor inference;
    private final TurnoutConfig.Serving limits;
    private final SecurityIdentity identity;
    private final CurrentIdentityAssociation identities;
    private final boolean requireToken;
    private final ShadowMirror shadow;
    private final TrafficSplit split;
    private final VersionTraffic traffic;
    private final HttpServerRequest request;
    private final InFlightBodyBudget budget;
    private final ObjectReader plainReader;

    public Predictions(ModelServer server, InferenceExecutor inference, TurnoutConfig config,
                       SecurityIdentity identity, CurrentIdentityAssociation identities, TrafficSplit split,
                       VersionTraffic traffic, HttpServerRequest request, ShadowMirror shadow,
                       WholeBodyLimits bodyLimits) {
        this.budget = bodyLimits.budget();
        this.server = server;
        this.split = split;
        this.traffic = traffic;
        this.request = request;
        this.shadow = shadow;
        this.inference = inference;
        this.identity = identity;
        this.identities = identities;
        this.requireToken = config.security().enabled() && config.security().predictionsRequireToken();
        this.limits = config.serving();
        // the fast double parser rounds exactly as Double.parseDouble does, without a String per number
        // a key given twice is refused, as in the management API: which value counts would be the parser's choice
        // (measured: ~65 ns more for a one-input OIP body, ~5 ns for /predict's, of ~50 µs a request)
        this.plainReader = new ObjectMapper(JsonFactory.builder()
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxJsonDepth())
                        .maxNumberLength(64)
                        .maxStringLength(1 << 20)
                        .build())
                .build()).reader();
    }

    TurnoutConfig.Serving limits() {
        return limits;
    }

    /**
     * Parses the first {@code length} bytes of a request body as JSON (all of it but for the binary tensor extension);
     * {@link dev.turnout.http.WholeBodyLimits} has already refused any body over the size limit or without a
     * Content-Length.
     */
    JsonNode read(byte[] body, int length) {
        return read(body, length, (parser, trees) -> trees.readTree(parser));
    }

    /**
     * As {@link #read(byte[], int)} for an OIP inference request: input data are read straight into primitive arrays
     * (see {@link OipRequestReader}).
     */
    JsonNode readInferenceRequest(byte[] body, int length) {
        return read(body, length, (parser, trees) -> OipRequestReader.read(parser, limits.maxTensorElements(), length,
                trees));
    }

    /**
     * The reader of a body of {@code length} bytes: past {@link #TREE_CHARGED_FROM}, one whose tree is charged to the
     * in-flight budget as it is built ({@link TreeCharge}), until the request's answer is ready.
     */
    private ObjectReader readerFor(int length) {
        if (length < TREE_CHARGED_FROM) {
            return plainReader;
        }
        TreeCharge charge = TREE_CHARGE.get();
        if (charge == null) {
            charge = new TreeCharge(budget);
            TREE_CHARGE.set(charge);
        }
        return plainReader.with(charge);
    }

    /** Returns what the tree of this thread's request took from the budget (its answer is ready, the tree unused). */
    private static void releaseTreeCharge() {
        TreeCharge charge = TREE_CHARGE.get();
        if (charge != null) {
            TREE_CHARGE.remove();
            charge.release();
        }
    }

    private interface TreeReader {
        /** {@code trees}: the reader to build any tree with (its node factory may charge the budget). */
        JsonNode read(JsonParser parser, ObjectReader trees) throws IOException;
    }

    private JsonNode read(byte[] body, int length, TreeReader tree) {
        long limit = limits.maxRequestSize().asLongValue();
        if (body == null || body.length == 0) {
            throw TurnoutException.invalid("the request body is empty; send a JSON object");
        }
        if (body.length > limit) {
            throw new TurnoutException(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is over " + limit
                    + " bytes (turnout.serving.max-request-size)");
        }
        ObjectReader trees = readerFor(length);
        try (JsonParser parser = trees.createParser(body, 0, length)) {
            JsonNode node = tree.read(parser, trees);
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

    /** One prediction protocol: checks a parsed request's shape, then answers it with a leased version. */
    interface Protocol {
        /**
         * Checks what can be checked before a model is leased (a malformed request is refused even for an unknown
         * model) and returns what decodes, runs and encodes the request against the leased version.
         */
        Function<ServedModel.Lease, Object> prepare(JsonNode request);
    }

    /** A protocol that reads the raw body itself (the OIP binary tensor extension puts bytes after the JSON). */
    interface BodyProtocol {
        /** As {@link Protocol#prepare}, from the request body as received. */
        Function<ServedModel.Lease, Object> prepare(byte[] body);
    }

    /** An answer with binary tensors: a JSON header of {@code headerLength} bytes, then the tensor bytes. */
    record Binary(byte[] body, int headerLength) {
    }

    /** Serves one prediction whose body is all JSON (see {@link #serveBody}). */
    Uni<Response> serve(String name, String version, byte[] body, Protocol protocol) {
        return serveBody(name, version, body, bytes -> protocol.prepare(read(bytes, bytes == null ? 0 : bytes.length)));
    }

    /**
     * Serves one prediction. The endpoints calling this are non-blocking, so Quarkus REST buffers the body on the I/O
     * thread (a blocking endpoint would read it on the worker, which then waits twice for the I/O thread); everything
     * else, from the access check and the JSON parse to the answer, runs on one thread off the event loop: an
     * inference thread when the version is in memory, else a worker (see {@link #executorFor}).
     */
    Uni<Response> serveBody(String name, String version, byte[] body, BodyProtocol protocol) {
        String routingKey = version == null ? routingKey(name) : null;
        Uni<SecurityIdentity> caller = requireToken ? identities.getDeferredIdentity() : Uni.createFrom().nullItem();
        return caller.onItem().transformToUni(identity -> Uni.createFrom().<Response>emitter(answer -> {
            try {
                executorFor(name, version).execute(() -> {
                    try {
                        answer.complete(serveNow(identity, name, version, routingKey, body, protocol));
                    } catch (Throwable e) { // whatever happens, the request gets an answer
                        answer.fail(e);
                    } finally {
                        releaseTreeCharge();
                    }
                });
            } catch (OverloadedException e) {
                answer.fail(overloaded(e.getMessage()));
            } catch (RejectedExecutionException e) { // the worker pool is full or shutting down
                answer.fail(overloaded("no worker thread is free"));
            }
        }));
    }

    /**
     * Versions in memory run on the inference threads. Anything that may load a version or ask the database (an
     * unknown model or version, one not loaded yet) runs on a Quarkus worker instead, so it never holds an inference
     * thread for long.
     */
    private Executor executorFor(String name, String version) {
        Integer number = null;
        if (version != null) {
            try {
                number = Integer.valueOf(version);
            } catch (NumberFormatException e) {
                return Infrastructure.getDefaultWorkerPool(); // refused there, with the usual message
            }
        }
        return server.isLoaded(name, number) ? inference : Infrastructure.getDefaultWorkerPool();
    }

    /** The routing key of a request split between two versions (read on the I/O thread); null when not split. */
    private String routingKey(String name) {
        String header = split.routingHeader();
        return header != null && split.splitting(name) ? request.getHeader(header) : null;
    }

    private Response serveNow(SecurityIdentity caller, String name, String version, String routingKey, byte[] body,
                              BodyProtocol protocol) {
        if (requireToken) {
            checkRole(caller);
        }
        RegistryRules.checkModelName(name);
        Integer number = version == null ? null : RegistryRules.checkVersionNumber(version);
        Function<ServedModel.Lease, Object> handler = protocol.prepare(body);
        try (ServedModel.Lease lease = number == null ? server.lease(name, split, routingKey)
                : server.lease(name, number)) {
            ServedModel model = lease.model();
            long start = System.nanoTime();
            ServingMetrics.Outcome outcome = ServingMetrics.Outcome.ERROR;
            boolean engineFailed = false; // what a rollout's analysis counts as an error; a client's 4xx is not one
            try {
                Object entity = handler.apply(lease);
                outcome = ServingMetrics.Outcome.OK;
                return answer(model, entity);
            } catch (OverloadedException e) {
                outcome = ServingMetrics.Outcome.OVERLOADED;
                throw overloaded(e.getMessage());
            } catch (TurnoutException e) {
                outcome = e.code().httpStatus() < 500 ? ServingMetrics.Outcome.INVALID : ServingMetrics.Outcome.UNAVAILABLE;
                engineFailed = e.code() == ErrorCode.INTERNAL;
                throw e;
            } finally {
                long nanos = System.nanoTime() - start;
                if (model.meters() != null) {
                    model.meters().record(outcome, nanos);
                }
                if (number == null && outcome != ServingMetrics.Outcome.OVERLOADED && split.splitting(name)) {
                    traffic.record(name, model.version(), nanos,
                            engineFailed || outcome == ServingMetrics.Outcome.ERROR);
                }
            }
        }
    }

    Tensor[] run(ServedModel.Lease lease, Tensor[] inputs) {
        try {
            Tensor[] outputs = lease.predict(inputs);
            ServedModel model = lease.model();
            if (split.splitting(model.name()) && !finite(outputs)) {
                traffic.nonFinite(model.name(), model.version());
            }
            shadow.offer(model, inputs, outputs); // returns at once: the candidate runs off the request path
            return outputs;
        } catch (OverloadedException e) {
            throw e;
        } catch (OutputTooLargeException e) {
            throw TurnoutException.invalid("the output '" + e.output() + "' would have " + e.elements()
                    + " elements, over the limit of " + e.limit() + " (" + OutputTooLargeException.PROPERTY
                    + "); send a smaller batch");
        } catch (TranslateException | RuntimeException e) {
            LOG.errorf(e, "Inference failed on %s", lease.model());
            throw new TurnoutException(ErrorCode.INTERNAL, "the model failed to run on this input; the server log "
                    + "has the details");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TurnoutException(ErrorCode.UNAVAILABLE, "interrupted; retry");
        }
    }

    /** Whether every floating-point output is finite (a NaN or infinity is an error of the version in a rollout). */
    static boolean finite(Tensor[] outputs) {
        for (Tensor output : outputs) {
            if (output.data() instanceof float[] values) {
                for (float value : values) {
                    if (!Float.isFinite(value)) {
                        return false;
                    }
                }
            } else if (output.data() instanceof double[] values) {
                for (double value : values) {
                    if (!Double.isFinite(value)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** Backpressure, from the inference threads or a model's predictors: 503 with Retry-After (see ErrorMapper). */
    private static TurnoutException overloaded(String what) {
        return new TurnoutException(ErrorCode.OVERLOADED, "at capacity (" + what + "); retry shortly");
    }

    /**
     * With turnout.security.predictions-require-token, predictions and metadata need the predictor role. For the
     * blocking metadata endpoints; predictions check the identity they resolved without blocking.
     */
    void checkAccess() {
        if (requireToken) {
            checkRole(identity);
        }
    }

    private static void checkRole(SecurityIdentity caller) {
        if (caller == null || caller.isAnonymous()) {
            throw new UnauthorizedException();
        }
        if (!caller.hasRole(Roles.PREDICTOR)) {
            throw new ForbiddenException();
        }
    }

    /** A 200 naming the version that answered, and its digest. */
    private static Response answer(ServedModel model, Object entity) {
        Response.ResponseBuilder ok = entity instanceof Binary binary
                ? Response.ok(binary.body(), MediaType.APPLICATION_OCTET_STREAM_TYPE)
                        .header(BinaryTensors.HEADER, binary.headerLength())
                : Response.ok(entity, MediaType.APPLICATION_JSON_TYPE);
        return ok.header(MODEL_HEADER, model.name())
                .header(VERSION_HEADER, model.version())
                .header(DIGEST_HEADER, model.sha256())
                .build();
    }
}
