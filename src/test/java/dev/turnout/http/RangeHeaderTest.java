package dev.turnout.http;

import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RangeHeaderTest {

    @Test
    void servesOneRangeOfEachForm() {
        assertEquals(Optional.of(new RangeHeader(0, 9)), RangeHeader.parse("bytes=0-9", 100));
        assertEquals(Optional.of(new RangeHeader(90, 99)), RangeHeader.parse("bytes=90-", 100));
        assertEquals(Optional.of(new RangeHeader(95, 99)), RangeHeader.parse("bytes=-5", 100));
        assertEquals(Optional.of(new RangeHeader(0, 99)), RangeHeader.parse("bytes=-500", 100), "suffix past the start");
        assertEquals(Optional.of(new RangeHeader(50, 99)), RangeHeader.parse("bytes=50-5000", 100), "last past the end");
        assertEquals(Optional.of(new RangeHeader(1, 1)), RangeHeader.parse("Bytes = 1 - 1", 100));
        assertEquals("bytes 95-99/100", RangeHeader.parse("bytes=-5", 100).orElseThrow().contentRange(100));
    }

    @Test
    void ignoresWhatItDoesNotServe() {
        for (String header : new String[] {null, "", "items=0-9", "bytes=0-9,20-29", "bytes=9-0", "bytes=-", "bytes=a-b",
                "bytes=99999999999999999999-"}) {
            assertEquals(Optional.empty(), RangeHeader.parse(header, 100), String.valueOf(header));
        }
    }

    @Test
    void refusesARangeOutsideTheBytes() {
        for (String header : new String[] {"bytes=100-", "bytes=100-200", "bytes=-0"}) {
            TurnoutException e = assertThrows(TurnoutException.class, () -> RangeHeader.parse(header, 100), header);
            assertEquals(ErrorCode.RANGE_NOT_SATISFIABLE, e.code());
            assertEquals("bytes */100", e.headers().get("Content-Range"));
        }
    }
}
