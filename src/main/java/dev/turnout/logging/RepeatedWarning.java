package dev.turnout.logging;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A warning that can recur every few seconds while a condition lasts (a database outage): the first one is logged,
 * then at most one per interval, saying how many were held back; the held-back ones go to DEBUG.
 */
public final class RepeatedWarning {

    private final long intervalNanos;
    private final LongSupplier clock;
    private final Consumer<String> warn;
    private final Consumer<String> debug;
    private long lastLogged;
    private boolean loggedOnce;
    private int heldBack;

    /** Warnings to {@code log}, at most one per {@code interval}. */
    public RepeatedWarning(Logger log, Duration interval) {
        this(interval, System::nanoTime, log::warn, log::debug);
    }

    RepeatedWarning(Duration interval, LongSupplier clock, Consumer<String> warn) {
        this(interval, clock, warn, message -> { });
    }

    private RepeatedWarning(Duration interval, LongSupplier clock, Consumer<String> warn, Consumer<String> debug) {
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
        this.warn = warn;
        this.debug = debug;
    }

    public void warn(String message) {
        String logged;
        synchronized (this) {
            long now = clock.getAsLong();
            if (loggedOnce && now - lastLogged < intervalNanos) {
                heldBack++;
                logged = null;
            } else {
                logged = heldBack == 0 ? message : message + " (" + heldBack + " more like it in the last "
                        + Duration.ofNanos(now - lastLogged).toSeconds() + " s)";
                loggedOnce = true;
                lastLogged = now;
                heldBack = 0;
            }
        }
        if (logged == null) {
            debug.accept(message);
        } else {
            warn.accept(logged);
        }
    }
}
