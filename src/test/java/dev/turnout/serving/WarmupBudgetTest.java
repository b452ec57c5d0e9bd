package dev.turnout.serving;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WarmupBudgetTest {

    private static final Instant START = Instant.parse("2026-12-06T12:00:00Z");

    @Test
    void theFirstFormLeavesTheLastItsShare() {
        WarmupBudget budget = new WarmupBudget(START.plusSeconds(16), 2);
        // OIP v2 and /predict: the first form may not spend the whole budget and leave /predict cold
        assertEquals(START.plusSeconds(8), budget.nextForm(START));
        assertEquals(START.plusSeconds(16), budget.nextForm(START.plusSeconds(8)));
    }

    @Test
    void aFormThatWarmedEarlyLeavesItsRestToTheOthers() {
        WarmupBudget budget = new WarmupBudget(START.plusSeconds(30), 3);
        assertEquals(START.plusSeconds(10), budget.nextForm(START));
        // the first ended at its plateau after 4 s: 26 s left for two forms
        assertEquals(START.plusSeconds(17), budget.nextForm(START.plusSeconds(4)));
        assertEquals(START.plusSeconds(30), budget.nextForm(START.plusSeconds(17)));
    }

    @Test
    void pastTheDeadlineEveryFormEndsAtOnce() {
        WarmupBudget budget = new WarmupBudget(START.plusSeconds(10), 2);
        assertEquals(START.plusSeconds(10), budget.nextForm(START.plusSeconds(12)));
        assertEquals(START.plusSeconds(10), budget.nextForm(START.plusSeconds(13)));
    }

    @Test
    void moreFormsThanAnnouncedGetWhatIsLeft() {
        WarmupBudget budget = new WarmupBudget(START.plus(Duration.ofSeconds(6)), 1);
        assertEquals(START.plusSeconds(6), budget.nextForm(START));
        assertEquals(START.plusSeconds(6), budget.nextForm(START.plusSeconds(1)));
    }
}
