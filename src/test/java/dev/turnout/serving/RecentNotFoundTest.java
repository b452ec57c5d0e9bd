package dev.turnout.serving;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RecentNotFoundTest {

    @Test
    void remembersForAMomentUntilForgottenOrFull() throws Exception {
        RecentNotFound recent = new RecentNotFound(Duration.ofMillis(200), 3);
        recent.remember("a", "no model named 'a'");
        assertEquals(Optional.of("no model named 'a'"), recent.get("a"));
        assertEquals(Optional.empty(), recent.get("b"));

        recent.forget("a"); // its active version changed
        assertEquals(Optional.empty(), recent.get("a"));

        recent.remember("a", "x");
        Thread.sleep(300);
        assertEquals(Optional.empty(), recent.get("a"), "expired");

        recent.remember("b", "x");
        recent.remember("c", "x");
        recent.remember("d", "x");
        recent.remember("e", "x"); // full: starts over
        assertEquals(Optional.empty(), recent.get("b"));
        assertEquals(Optional.of("x"), recent.get("e"));
    }
}
