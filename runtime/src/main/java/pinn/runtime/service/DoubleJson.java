package pinn.runtime.service;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.Serial;

/**
 * Writes doubles into JSON without a {@code String} per number: Jackson's
 * {@link JsonGenerator#writeNumber(double)} renders each number as a new string first, which was a
 * third of what a single-option answer allocated (and tens of megabytes for a 100,000-option
 * batch). The text is the same: {@link StringBuilder#append(double)} gives the shortest decimal
 * that rounds to the value, exactly as {@link Double#toString(double)} and Jackson's fast writer
 * do, here into a per-thread buffer. NaN and infinities, which a valuation should never hold, are
 * left to Jackson.
 */
final class DoubleJson {

    /** The longest {@link Double#toString(double)}, e.g. "-2.2250738585072014E-308", is 24 characters. */
    private static final int MAX_CHARS = 32;
    private static final ThreadLocal<Digits> DIGITS = ThreadLocal.withInitial(Digits::new);

    /** One thread's scratch: the digits of the number being written. */
    private static final class Digits {
        final StringBuilder text = new StringBuilder(MAX_CHARS);
        final char[] chars = new char[MAX_CHARS];
    }

    private DoubleJson() {}

    /** Writes {@code value} as a JSON number (as the next value of the current object or array). */
    static void write(JsonGenerator gen, double value) throws IOException {
        if (!Double.isFinite(value)) {
            gen.writeNumber(value);
            return;
        }
        Digits digits = DIGITS.get();
        digits.text.setLength(0);
        digits.text.append(value);
        int length = digits.text.length();
        digits.text.getChars(0, length, digits.chars, 0);
        gen.writeRawValue(digits.chars, 0, length);
    }

    /** A {@code double[]} as a JSON array of numbers, for answer records' array fields. */
    static final class ArraySerializer extends StdSerializer<double[]> {

        @Serial
        private static final long serialVersionUID = 1L;

        ArraySerializer() {
            super(double[].class);
        }

        @Override
        public void serialize(double[] values, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartArray(values, values.length);
            for (double value : values) write(gen, value);
            gen.writeEndArray();
        }
    }
}
