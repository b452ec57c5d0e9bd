package dev.turnout.serving.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NumericNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.node.ValueNode;
import dev.turnout.error.ErrorCode;
import dev.turnout.error.TurnoutException;
import dev.turnout.http.InFlightBodyBudget;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Builds the JSON tree of one request body and charges it to the in-flight body budget as it grows. The budget holds
 * a body's bytes from its headers on ({@link dev.turnout.http.WholeBodyLimits}), but its tree is ~20 times larger
 * ({@code [1.5]}, six bytes, is an array node, its list and a number node): bodies within the budget ran the heap out
 * of memory. What is charged is an upper estimate of each node on a 64-bit JVM with compressed references; it is
 * taken from the budget a MiB at a time and returned by {@link #release} once the request's tree is no longer needed.
 * Not thread-safe: one request's parse runs on one thread.
 */
final class TreeCharge extends JsonNodeFactory {

    /** An array or object node with its list or map and their first slots. */
    static final int CONTAINER_BYTES = 96;
    /** A number node, and its slot in its container. */
    static final int LEAF_BYTES = 32;
    private static final long STEP = 1 << 20;

    private final InFlightBodyBudget budget;
    private long held;
    private long used;

    TreeCharge(InFlightBodyBudget budget) {
        super(); // as the default factory the server's reader uses
        this.budget = budget;
    }

    /** Returns what this tree took from the budget. */
    void release() {
        budget.release(held);
        held = 0;
    }

    private void charge(long bytes) {
        used += bytes;
        if (used <= held) {
            return;
        }
        long more = Math.max(STEP, used - held);
        if (held + more > budget.capacity()) {
            throw new TurnoutException(ErrorCode.PAYLOAD_TOO_LARGE, "the request's JSON takes more memory to read "
                    + "than this replica's whole in-flight budget of " + budget.capacity() + " bytes ("
                    + "turnout.serving.max-in-flight-bytes): send fewer rows per request, or the Open Inference "
                    + "Protocol with name, datatype and shape before each input's data (read straight into arrays)");
        }
        if (!budget.tryReserve(more)) {
            throw new TurnoutException(ErrorCode.OVERLOADED, budget.fullMessage());
        }
        held += more;
    }

    @Override
    public ArrayNode arrayNode() {
        charge(CONTAINER_BYTES);
        return super.arrayNode();
    }

    @Override
    public ArrayNode arrayNode(int capacity) {
        charge(CONTAINER_BYTES + 4L * capacity);
        return super.arrayNode(capacity);
    }

    @Override
    public ObjectNode objectNode() {
        charge(CONTAINER_BYTES);
        return super.objectNode();
    }

    @Override
    public TextNode textNode(String text) {
        charge(LEAF_BYTES + (text == null ? 0 : 2L * text.length()));
        return super.textNode(text);
    }

    @Override
    public NumericNode numberNode(int v) {
        charge(LEAF_BYTES);
        return super.numberNode(v);
    }

    @Override
    public NumericNode numberNode(long v) {
        charge(LEAF_BYTES);
        return super.numberNode(v);
    }

    @Override
    public NumericNode numberNode(float v) {
        charge(LEAF_BYTES);
        return super.numberNode(v);
    }

    @Override
    public NumericNode numberNode(double v) {
        charge(LEAF_BYTES);
        return super.numberNode(v);
    }

    @Override
    public ValueNode numberNode(BigInteger v) {
        charge(LEAF_BYTES * 2);
        return super.numberNode(v);
    }

    @Override
    public ValueNode numberNode(BigDecimal v) {
        charge(LEAF_BYTES * 2);
        return super.numberNode(v);
    }
}
