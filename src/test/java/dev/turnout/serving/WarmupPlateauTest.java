package dev.turnout.serving;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WarmupPlateauTest {

    private static final long WINDOW = 500;

    @Test
    void flatAnswersWithTheJitQuietEndTheWarmUpOnTheThirdWindow() {
        WarmupPlateau plateau = new WarmupPlateau(WINDOW);
        assertFalse(plateau.window(1000, 0)); // the first: faster than nothing
        assertFalse(plateau.window(1000, 10));
        assertFalse(plateau.window(1020, 49));
        assertTrue(plateau.window(990, 0));
    }

    @Test
    void flatAnswersDoNotEndItWhileTheJitStillCompiles() {
        WarmupPlateau plateau = new WarmupPlateau(WINDOW);
        plateau.window(1000, 500);
        for (int i = 0; i < 20; i++) {
            assertFalse(plateau.window(1000, 480), "window " + i); // C2 busy: the path is not compiled yet
        }
        assertFalse(plateau.window(1000, 0));
        assertFalse(plateau.window(1000, 0));
        assertTrue(plateau.window(1000, 0));
    }

    @Test
    void aBusyOrFasterWindowStartsTheCountAgain() {
        WarmupPlateau plateau = new WarmupPlateau(WINDOW);
        plateau.window(1000, 0);
        plateau.window(1000, 0);
        plateau.window(1000, 0);
        assertFalse(plateau.window(1000, 50), "50 ms of 500 is not quiet");
        plateau.window(1000, 0);
        assertFalse(plateau.window(1100, 0), "10 % faster");
        assertFalse(plateau.window(1100, 0));
        assertFalse(plateau.window(1100, 0));
        assertTrue(plateau.window(1100, 0));
    }
}
