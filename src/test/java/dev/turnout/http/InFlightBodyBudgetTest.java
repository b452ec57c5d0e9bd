package dev.turnout.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InFlightBodyBudgetTest {

    @Test
    void reservesUpToItsCapacityAndNoFurther() {
        InFlightBodyBudget budget = new InFlightBodyBudget(100);
        assertTrue(budget.tryReserve(60));
        assertTrue(budget.tryReserve(40));
        assertFalse(budget.tryReserve(1));
        budget.release(40);
        assertFalse(budget.tryReserve(41));
        assertTrue(budget.tryReserve(40));
        assertEquals(100, budget.reserved());
    }

    @Test
    void aRequestLargerThanTheWholeBudgetNeverFits() {
        InFlightBodyBudget budget = new InFlightBodyBudget(100);
        assertFalse(budget.tryReserve(101));
        assertFalse(budget.tryReserve(Long.MAX_VALUE)); // no overflow into a negative sum
        assertEquals(0, budget.reserved());
    }

    @Test
    void concurrentReservationsNeverOvershoot() throws InterruptedException {
        InFlightBodyBudget budget = new InFlightBodyBudget(1000);
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    if (budget.tryReserve(7)) {
                        assertTrue(budget.reserved() <= 1000);
                        budget.release(7);
                    }
                }
            });
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(0, budget.reserved());
    }

    @Test
    void aBudgetMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new InFlightBodyBudget(0));
    }
}
