package dev.turnout.http;

import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.Provider;

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
 */
@Provider
@Singleton
@Consumes(MediaType.WILDCARD)
public class BoundedStringBodies implements MessageBodyReader<String> {

    private static final int MIB = 1 << 20;
    /** Indentation and blanks between tokens a client may add to the densest body (a pretty-printer's are less). */
    private static final long WHITESPACE_SLACK = MIB;

    private final int maxBytes;

    public BoundedStringBodies(Instance<JsonBodyNeed> needs) {
        long largest = needs.stream().mapToLong(JsonBodyNeed::maxBytes).max().orElse(0);
        this.maxBytes = Math.toIntExact((largest + WHITESPACE_SLACK + MIB - 1) / MIB * MIB);
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
        String declared = headers.getFirst("Content-Length");
        if (declared != null && isOver(declared.trim())) {
            throw tooLarge("is " + declared.trim() + " bytes");
        }
        byte[] bytes = body.readNBytes(maxBytes + 1);
        if (bytes.length > maxBytes) {
            throw tooLarge("is longer");
        }
        return new String(bytes, charset(mediaType));
    }

    private boolean isOver(String length) {
        try {
            return Long.parseLong(length) > maxBytes;
        } catch (NumberFormatException e) {
            return false; // the HTTP layer refuses a malformed Content-Length itself
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
