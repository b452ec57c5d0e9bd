package dev.turnout.engine;

/**
 * An output tensor of a prediction has more elements than {@value #PROPERTY} allows: refused while the output is still
 * in the engine's memory, before a byte of it is copied to the Java heap. The input decides the output's size (its
 * batch), so the caller should send a smaller one.
 */
public class OutputTooLargeException extends RuntimeException {

    public static final String PROPERTY = "turnout.serving.max-output-elements";

    private final String output;
    private final long elements;
    private final long limit;

    public OutputTooLargeException(String output, long elements, long limit) {
        super("output '" + output + "' has " + elements + " elements, more than the " + limit
                + " a prediction may return (" + PROPERTY + ")");
        this.output = output;
        this.elements = elements;
        this.limit = limit;
    }

    public String output() {
        return output;
    }

    public long elements() {
        return elements;
    }

    public long limit() {
        return limit;
    }
}
