package dev.turnout.http;

import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.Provider;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Reads every request body an endpoint takes as a String (the management API's JSON: evaluations, flips, rollouts,
 * PATCH, store copies) with a bound. The framework's own reader buffers the whole body, and the only other limit is
 * the upload limit (2G), so one body of blanks ran a small heap out of memory. Bound by the parameter's type, so it
 * holds however the route is spelled; a declared length over it is refused before a byte is read.
 * <p>
 * The bound is the largest body a request within the documented limits can be ({@link JsonBodyNeed}, stated by each
 * domain from its rules: a PATCH of 256 tags of 5000 characters, every one escaped, is ~8 MB) plus slack for
 * whitespace, rounded up to a MiB. A fixed 1 MiB refused such requests with a 413.
 * <p>
 * Each body is held whole until its answer is sent, so it also holds its share of the in-flight budget inference
 * bodies hold ({@link WholeBodyLimits}): a crowd of clients each within the bound cannot fill the heap either. A body
 * that declares its length takes that share before a byte is read; a chunked one takes it a MiB at a time as it
 * arrives. Either is a 503 with Retry-After when the share does not fit.
 */
@Provider
@Singleton
@Consumes(MediaType.WILDCARD)
public class BoundedStringBodies implements MessageBodyReader<String> {

    /** How much of the budget a chunked body takes at a time, and how much of it is read at a time. */
    private static final int STEP = 1 << 20;

    private final int maxBytes;
    private final InFlightBodyBudget budget;
    private final CurrentVertxRequest request;

    public BoundedStringBodies(Instance<JsonBodyNeed> needs, WholeBodyLimits limits, CurrentVertxRequest request) {
        this.maxBytes = JsonBodyNeed.readBound(needs);
        this.budget = limits.budget();
        this.request = request;
    }

    /** The most bytes one String body may have. */
    public int maxBytes() {
        return maxBytes;
    }

    @Override
    public boolean isReadable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return type == String.class;
    }

    @Override
    public String readFrom(Class<String> type, Type genericType, Annotation[] annotations, MediaType mediaType,
                           MultivaluedMap<String, String> headers, InputStream body) throws IOException {
        Charset charset = charset(mediaType);
        long declared = declaredLength(headers.getFirst("Content-Length"));
        if (declared > maxBytes) {
            throw tooLarge("is " + declared + " bytes");
        }
        byte[] bytes;
        if (declared >= 0) {
            hold(declared);
            bytes = body.readNBytes(maxBytes + 1);
        } else {
            bytes = readChunked(body);
        }
        if (bytes.length > maxBytes) {
            throw tooLarge("is longer");
        }
        return new String(bytes, charset);
    }

    /** Reads a body of unknown length, holding a STEP of the budget before each STEP it reads. */
    private byte[] readChunked(InputStream body) throws IOException {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        while (read.size() <= maxBytes) {
            hold(STEP);
            byte[] step = body.readNBytes(Math.min(STEP, maxBytes + 1 - read.size()));
            read.write(step);
            if (step.length < STEP) {
                break; // the end of the body, or one byte past the bound
            }
        }
        return read.toByteArray();
    }

    /** Holds {@code bytes} of the budget until this request's answer is sent or its client is gone, or refuses. */
    private void hold(long bytes) {
        if (bytes == 0) {
            return;
        }
        if (!budget.tryReserve(bytes)) {
            throw new TurnoutException(ErrorCode.OVERLOADED, budget.fullMessage()).withHeader("Connection", "close");
        }
        request.getCurrent().addEndHandler(done -> budget.release(bytes));
    }

    /** The declared length, or -1 when none (chunked) or malformed (which the HTTP layer refuses itself). */
    private static long declaredLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private TurnoutException tooLarge(String size) {
        return new TurnoutException(ErrorCode.PAYLOAD_TOO_LARGE, "the JSON body " + size + "; at most " + maxBytes
                + " bytes are read (a management request is a small JSON object)").withHeader("Connection", "close");
    }

    private static Charset charset(MediaType mediaType) {
        String name = mediaType == null ? null : mediaType.getParameters().get(MediaType.CHARSET_PARAMETER);
        try {
            return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
        } catch (IllegalArgumentException e) {
            throw TurnoutException.invalid("unsupported charset '" + name + "' in the Content-Type; send UTF-8");
        }
    }
}
