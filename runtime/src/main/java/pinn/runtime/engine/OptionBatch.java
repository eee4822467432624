package pinn.runtime.engine;

import java.util.Objects;
import pinn.runtime.OptionType;

/**
 * A validated batch of European options. Every field is either an array, one value per option,
 * or a scalar broadcast to every option; arrays must share one length, which is the batch size
 * (1 if every field is a scalar). Units as in {@link pinn.runtime.Valuation}: spot and strike in
 * currency, expiry τ in years, rate and vol as decimals (0.05, 0.20).
 *
 * <pre>{@code
 * OptionBatch batch = OptionBatch.builder()
 *         .spot(new double[] {90, 100, 110}).strike(100).expiry(0.5).rate(0.03).vol(0.2)
 *         .type(OptionType.CALL)
 *         .build();
 * }</pre>
 *
 * Arrays are copied when the batch is built, so later changes by the caller do not reach it.
 */
public final class OptionBatch {

    /** |r·τ| beyond this would over- or underflow the discount factor e^{−rτ}. */
    static final double MAX_RATE_TIMES_EXPIRY = 700;

    private final Column spot, strike, expiry, rate, vol;
    private final OptionType[] types;
    private final int size;

    private OptionBatch(Column spot, Column strike, Column expiry, Column rate, Column vol, OptionType[] types, int size) {
        this.spot = spot;
        this.strike = strike;
        this.expiry = expiry;
        this.rate = rate;
        this.vol = vol;
        this.types = types;
        this.size = size;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A batch of one option. */
    public static OptionBatch of(OptionType type, double spot, double strike, double expiry, double rate, double vol) {
        return builder().type(type).spot(spot).strike(strike).expiry(expiry).rate(rate).vol(vol).build();
    }

    /** The number of options. */
    public int size() {
        return size;
    }

    public double spot(int i) {
        return spot.get(i);
    }

    public double strike(int i) {
        return strike.get(i);
    }

    public double expiry(int i) {
        return expiry.get(i);
    }

    public double rate(int i) {
        return rate.get(i);
    }

    public double vol(int i) {
        return vol.get(i);
    }

    public OptionType type(int i) {
        return types.length == 1 ? types[0] : types[i];
    }

    /**
     * Checks one option's fields, naming the first that is wrong.
     *
     * @param index the option's index in its batch, or −1 for a single option
     * @throws InvalidInputException naming the field, the index and the reason
     */
    static void check(OptionType type, double spot, double strike, double expiry, double rate, double vol, int index) {
        if (type == null) throw new InvalidInputException("type", index, "must be call or put, was missing");
        requirePositive("spot", spot, index);
        requirePositive("strike", strike, index);
        requirePositive("expiry", expiry, index);
        if (!Double.isFinite(rate)) throw new InvalidInputException("rate", index, "must be finite, was " + rate);
        requirePositive("vol", vol, index);
        requireRepresentableDiscount(rate, expiry, index);
    }

    private static void requireRepresentableDiscount(double rate, double expiry, int index) {
        if (Math.abs(rate * expiry) > MAX_RATE_TIMES_EXPIRY) {
            throw new InvalidInputException("rate", index, "times expiry must lie within ±" + MAX_RATE_TIMES_EXPIRY
                    + " (the discount factor e^(-rate*expiry) leaves the double range), was " + rate + " * " + expiry);
        }
    }

    private static void requirePositive(String field, double value, int index) {
        if (!(value > 0) || value == Double.POSITIVE_INFINITY) {
            throw new InvalidInputException(field, index, "must be finite and > 0, was " + value);
        }
    }

    /** One field: an array, or a scalar broadcast to every option. */
    private record Column(String name, double[] values, boolean scalar) {
        double get(int i) {
            return scalar ? values[0] : values[i];
        }
    }

    /** Collects the fields; {@link #build()} checks them all. Every field must be set. */
    public static final class Builder {
        private Column spot, strike, expiry, rate, vol;
        private OptionType[] types;
        private boolean typeScalar;

        private Builder() {}

        public Builder spot(double value) {
            spot = scalar("spot", value);
            return this;
        }

        public Builder spot(double[] values) {
            spot = array("spot", values);
            return this;
        }

        public Builder strike(double value) {
            strike = scalar("strike", value);
            return this;
        }

        public Builder strike(double[] values) {
            strike = array("strike", values);
            return this;
        }

        public Builder expiry(double value) {
            expiry = scalar("expiry", value);
            return this;
        }

        public Builder expiry(double[] values) {
            expiry = array("expiry", values);
            return this;
        }

        public Builder rate(double value) {
            rate = scalar("rate", value);
            return this;
        }

        public Builder rate(double[] values) {
            rate = array("rate", values);
            return this;
        }

        public Builder vol(double value) {
            vol = scalar("vol", value);
            return this;
        }

        public Builder vol(double[] values) {
            vol = array("vol", values);
            return this;
        }

        public Builder type(OptionType value) {
            types = new OptionType[] {value};
            typeScalar = true;
            return this;
        }

        public Builder type(OptionType[] values) {
            if (values == null) throw new InvalidInputException("type", -1, "must be call or put, or an array of them, was missing");
            types = values.clone();
            typeScalar = false;
            return this;
        }

        /**
         * The checked batch.
         *
         * @throws InvalidInputException for a missing field, arrays of different lengths, an
         *     empty array, or an invalid value (with its index)
         */
        public OptionBatch build() {
            Column[] columns = {spot, strike, expiry, rate, vol};
            String[] names = {"spot", "strike", "expiry", "rate", "vol"};
            int size = -1;
            String sizedBy = null;
            for (int c = 0; c < columns.length; c++) {
                if (columns[c] == null) throw new InvalidInputException(names[c], -1, "is missing");
                if (!columns[c].scalar()) {
                    int length = columns[c].values().length;
                    if (size >= 0 && length != size) {
                        throw new InvalidInputException(names[c], -1, "has " + length + " values but " + sizedBy + " has " + size
                                + "; arrays must have one length (scalars are broadcast)");
                    }
                    size = length;
                    sizedBy = names[c];
                }
            }
            if (types == null) throw new InvalidInputException("type", -1, "is missing");
            if (!typeScalar) {
                if (size >= 0 && types.length != size) {
                    throw new InvalidInputException("type", -1, "has " + types.length + " values but " + sizedBy + " has " + size
                            + "; arrays must have one length (scalars are broadcast)");
                }
                size = types.length;
            }
            if (size < 0) size = 1;
            if (size == 0) throw new InvalidInputException("batch", -1, "is empty: arrays must hold at least one option");
            for (Column column : new Column[] {spot, strike, expiry, vol}) {
                for (int i = 0; i < column.values().length; i++) requirePositive(column.name(), column.values()[i], column.scalar() ? -1 : i);
            }
            for (int i = 0; i < rate.values().length; i++) {
                double r = rate.values()[i];
                if (!Double.isFinite(r)) throw new InvalidInputException("rate", rate.scalar() ? -1 : i, "must be finite, was " + r);
            }
            for (int i = 0; i < types.length; i++) {
                if (types[i] == null) throw new InvalidInputException("type", typeScalar ? -1 : i, "must be call or put, was missing");
            }
            OptionBatch batch = new OptionBatch(spot, strike, expiry, rate, vol, types, size);
            boolean rateOrExpiryVaries = !rate.scalar() || !expiry.scalar();
            for (int i = 0; i < (rateOrExpiryVaries ? size : 1); i++) {
                requireRepresentableDiscount(batch.rate(i), batch.expiry(i), rateOrExpiryVaries ? i : -1);
            }
            return batch;
        }

        private static Column scalar(String name, double value) {
            return new Column(name, new double[] {value}, true);
        }

        private static Column array(String name, double[] values) {
            Objects.requireNonNull(values, name);
            return new Column(name, values.clone(), false);
        }
    }
}
