package pinn.runtime.service;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import pinn.runtime.OptionType;
import pinn.runtime.engine.OptionBatch;

/**
 * The body of {@code POST /v1/price}, read strictly: six fields, each a scalar or an array, arrays
 * of one length, scalars broadcast.
 *
 * <pre>{@code
 * {"spot": 105, "strike": 100, "expiry": 0.5, "rate": 0.03, "vol": 0.2, "type": "call"}
 * {"spot": [90, 100, 110], "strike": 100, "expiry": 0.5, "rate": 0.03, "vol": [0.2, 0.25, 0.3], "type": "put"}
 * }</pre>
 *
 * Units as everywhere in the project: spot and strike in currency, expiry τ in years, rate and
 * vol as decimals (0.03, 0.20); type is "call" or "put" (any case). The values' ranges are checked
 * by {@link OptionBatch} and the runtime, which name the field and index of the first bad value.
 *
 * @param spot S, one value or one per option
 * @param strike K
 * @param expiry τ in years
 * @param rate r
 * @param vol σ
 * @param type call or put
 */
record PriceRequest(Numbers spot, Numbers strike, Numbers expiry, Numbers rate, Numbers vol, Types type) {

    static final List<String> FIELDS = List.of("spot", "strike", "expiry", "rate", "vol", "type");

    /** A numeric field: {@code values} holds one value when {@code scalar}, else one per option. */
    record Numbers(double[] values, boolean scalar) {}

    /** The type field: one type when {@code scalar}, else one per option. */
    record Types(OptionType[] values, boolean scalar) {}

    /** True when no field is an array: the answer is then one option's scalars. */
    boolean allScalar() {
        return spot.scalar && strike.scalar && expiry.scalar && rate.scalar && vol.scalar && type.scalar;
    }

    /** The options as a checked batch. @throws pinn.runtime.engine.InvalidInputException naming the field and index at fault */
    OptionBatch toBatch() {
        OptionBatch.Builder b = OptionBatch.builder();
        if (spot.scalar) b.spot(spot.values[0]); else b.spot(spot.values);
        if (strike.scalar) b.strike(strike.values[0]); else b.strike(strike.values);
        if (expiry.scalar) b.expiry(expiry.values[0]); else b.expiry(expiry.values);
        if (rate.scalar) b.rate(rate.values[0]); else b.rate(rate.values);
        if (vol.scalar) b.vol(vol.values[0]); else b.vol(vol.values);
        if (type.scalar) b.type(type.values[0]); else b.type(type.values);
        return b.build();
    }

    /**
     * Reads a request body.
     *
     * @param maxOptions the most values an array field may hold
     * @throws ApiException 400 for malformed JSON, an unknown, repeated, missing or mistyped field;
     *     413 for an array longer than {@code maxOptions}
     */
    static PriceRequest parse(byte[] body, int maxOptions) {
        Object[] values = new Object[FIELDS.size()];
        boolean[] present = Json.readObject(body, FIELDS, (field, parser) -> {
            int slot = FIELDS.indexOf(field);
            values[slot] = field.equals("type") ? readTypes(parser, maxOptions) : readNumbers(field, parser, maxOptions);
        });
        for (int i = 0; i < FIELDS.size(); i++) {
            if (!present[i]) throw ApiException.badRequest(FIELDS.get(i), "is missing; a price request needs spot, strike, expiry, rate, vol and type");
        }
        return new PriceRequest((Numbers) values[0], (Numbers) values[1], (Numbers) values[2], (Numbers) values[3], (Numbers) values[4],
                (Types) values[5]);
    }

    private static Numbers readNumbers(String field, JsonParser parser, int maxOptions) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            if (parser.currentToken() == JsonToken.START_OBJECT || parser.currentToken() == JsonToken.VALUE_STRING
                    || parser.currentToken() == JsonToken.VALUE_TRUE || parser.currentToken() == JsonToken.VALUE_FALSE
                    || parser.currentToken() == JsonToken.VALUE_NULL) {
                throw ApiException.badRequest(field, "must be a JSON number or an array of numbers, was "
                        + Json.describe(parser, parser.currentToken()));
            }
            return new Numbers(new double[] {Json.number(field, -1, parser)}, true);
        }
        double[] values = new double[16];
        int n = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (n == maxOptions) throw tooMany(field, maxOptions);
            if (n == values.length) values = Arrays.copyOf(values, Math.min(maxOptions, 2 * n));
            values[n] = Json.number(field, n, parser);
            n++;
        }
        return new Numbers(n == values.length ? values : Arrays.copyOf(values, n), false);
    }

    private static Types readTypes(JsonParser parser, int maxOptions) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) return new Types(new OptionType[] {type(parser, -1)}, true);
        OptionType[] values = new OptionType[16];
        int n = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (n == maxOptions) throw tooMany("type", maxOptions);
            if (n == values.length) values = Arrays.copyOf(values, Math.min(maxOptions, 2 * n));
            values[n] = type(parser, n);
            n++;
        }
        return new Types(Arrays.copyOf(values, n), false);
    }

    private static OptionType type(JsonParser parser, int index) throws IOException {
        JsonToken token = parser.currentToken();
        if (token != JsonToken.VALUE_STRING) {
            throw ApiException.badRequest("type", index, "must be \"call\" or \"put\"" + (index < 0 ? " or an array of them" : "")
                    + ", was " + Json.describe(parser, token));
        }
        String text = parser.getText();
        try {
            return OptionType.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("type", index, "must be \"call\" or \"put\", was \"" + Json.shown(text) + "\"");
        }
    }

    private static ApiException tooMany(String field, int maxOptions) {
        return new ApiException(413, field, -1, "has more than " + maxOptions + " values; a request prices at most " + maxOptions
                + " options (split the batch)");
    }
}
