package dev.turnout.registry;

import java.util.List;

/** One page of a list, in the list's order; {@code more} when items follow the last one. */
public record ListPage<T>(List<T> items, boolean more) {

    static <T> ListPage<T> of(List<T> fetched, int limit) {
        return fetched.size() > limit ? new ListPage<>(fetched.subList(0, limit), true) : new ListPage<>(fetched, false);
    }
}
