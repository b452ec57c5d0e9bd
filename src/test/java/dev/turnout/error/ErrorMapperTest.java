package dev.turnout.error;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class ErrorMapperTest {

    private final ErrorMapper mapper = new ErrorMapper();

    @Test
    void overloadIsA503WithRetryAfter() {
        var response = mapper.refused(new TurnoutException(ErrorCode.OVERLOADED, "all 2 predictors are busy"));
        assertEquals(503, response.getStatus());
        assertEquals("1", response.getHeaderString("Retry-After"));
        assertEquals("OVERLOADED", ((ErrorBody) response.getEntity()).code());
    }

    @Test
    void unexpectedFailuresLeakNothing() {
        var response = mapper.unexpected(new IllegalStateException("SELECT secret FROM table at org.foo.Bar"));
        assertEquals(500, response.getStatus());
        ErrorBody body = (ErrorBody) response.getEntity();
        assertFalse(body.error().contains("SELECT"));
        assertFalse(body.error().contains("IllegalStateException"));
    }
}
