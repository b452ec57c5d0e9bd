package dev.turnout.engine;

/** Every predictor of a model is busy and its wait queue is full: the caller should retry shortly (HTTP 503). */
public class OverloadedException extends RuntimeException {

    public OverloadedException(String message) {
        super(message);
    }
}
