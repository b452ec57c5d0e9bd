package dev.turnout.http;

import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
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
 */
@Provider
@Consumes(MediaType.WILDCARD)
public class BoundedStringBodies implements MessageBodyReader<String> {

    /** A management request is a small JSON object; this is far above any (a flip's reason, a PATCH of 256 tags). */
    public static final int MAX_BYTES = 1 << 20;

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
        byte[] bytes = body.readNBytes(MAX_BYTES + 1);
        if (bytes.length > MAX_BYTES) {
            throw tooLarge("is longer");
        }
        return new String(bytes, charset(mediaType));
    }

    private static boolean isOver(String length) {
        try {
            return Long.parseLong(length) > MAX_BYTES;
        } catch (NumberFormatException e) {
            return false; // the HTTP layer refuses a malformed Content-Length itself
        }
    }

    private static TurnoutException tooLarge(String size) {
        return new TurnoutException(ErrorCode.PAYLOAD_TOO_LARGE, "the JSON body " + size + "; at most " + MAX_BYTES
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
