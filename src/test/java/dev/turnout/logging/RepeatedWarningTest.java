package dev.turnout.logging;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A warning that recurs (a database outage seen every second) is logged once per interval, with a count. */
class RepeatedWarningTest {

    @Test
    void theFirstIsLoggedThenOnePerIntervalWithHowManyWereHeldBack() {
        AtomicLong clock = new AtomicLong();
        List<String> warnings = new ArrayList<>();
        RepeatedWarning warning = new RepeatedWarning(Duration.ofMinutes(1), clock::get, warnings::add);

        warning.warn("database down");
        for (int i = 0; i < 30; i++) {
            clock.addAndGet(Duration.ofSeconds(1).toNanos());
            warning.warn("database down");
        }
        assertEquals(List.of("database down"), warnings);

        clock.addAndGet(Duration.ofSeconds(31).toNanos());
        warning.warn("database still down");
        assertEquals(List.of("database down", "database still down (30 more like it in the last 61 s)"), warnings);
    }
}
