package dev.turnout.engine;

/**
 * Every predictor of a model, or every inference thread, is busy and the wait queue is full: the caller should retry
 * shortly (HTTP 503).
 */
public class OverloadedException extends RuntimeException {

    public OverloadedException(String message) {
        super(message);
    }
}
