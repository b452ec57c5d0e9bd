package dev.turnout.serving.rest;

import ai.djl.translate.TranslateException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.config.TurnoutConfig;
import dev.turnout.engine.Tensor;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import dev.turnout.registry.RegistryRules;
import dev.turnout.serving.ModelServer;
import dev.turnout.serving.ServedModel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

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

    public Predictions(ModelServer server, TurnoutConfig config) {
        this.server = server;
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

    /** Parses a request body, refusing it past the size limit (also when it came without a Content-Length). */
    JsonNode read(InputStream body) {
        long limit = limits.maxRequestSize().asLongValue();
        try (InputStream bounded = new BoundedInputStream(body, limit)) {
            JsonNode node = reader.readTree(bounded);
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

    ServedModel.Lease lease(String name, String version) {
        RegistryRules.checkModelName(name);
        return version == null ? server.lease(name) : server.lease(name, RegistryRules.checkVersionNumber(version));
    }

    Tensor[] run(ServedModel.Lease lease, Tensor[] inputs) {
        try {
            return lease.predict(inputs);
        } catch (TranslateException | RuntimeException e) {
            if (e instanceof dev.turnout.engine.OverloadedException overloaded) {
                throw overloaded;
            }
            LOG.errorf(e, "Inference failed on %s", lease.model());
            throw new TurnoutException(ErrorCode.INTERNAL, "the model failed to run on this input; the server log "
                    + "has the details");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TurnoutException(ErrorCode.UNAVAILABLE, "interrupted; retry");
        }
    }

    /** A 200 naming the version that answered, and its digest. */
    static Response answer(ServedModel model, Object entity) {
        return Response.ok(entity, MediaType.APPLICATION_JSON_TYPE)
                .header(MODEL_HEADER, model.name())
                .header(VERSION_HEADER, model.version())
                .header(DIGEST_HEADER, model.sha256())
                .build();
    }

    /** An input stream that refuses to go past {@code limit} bytes. */
    private static final class BoundedInputStream extends FilterInputStream {
        private final long limit;
        private long count;

        BoundedInputStream(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) {
            count += n;
            if (count > limit) {
                throw new TurnoutException(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is over " + limit
                        + " bytes (turnout.serving.max-request-size)");
            }
        }
    }
}
