package pinn.runtime.engine;

/**
 * An option request the runtime refuses, naming the field, the index in the batch (−1 for a
 * scalar field or a whole-batch problem) and the reason, e.g. {@code spot[3] must be finite and
 * > 0, was NaN}.
 */
public final class InvalidInputException extends IllegalArgumentException {

    private final String field;
    private final int index;
    private final String reason;

    public InvalidInputException(String field, int index, String reason) {
        super((index < 0 ? field : field + "[" + index + "]") + " " + reason);
        this.field = field;
        this.index = index;
        this.reason = reason;
    }

    /** The request field at fault: spot, strike, expiry, rate, vol, type, or batch. */
    public String field() {
        return field;
    }

    /** The offending element's index in the batch, or −1 for a scalar field or the batch as a whole. */
    public int index() {
        return index;
    }

    /** Why the value was refused, e.g. "must be finite and > 0, was -1.0". */
    public String reason() {
        return reason;
    }
}
