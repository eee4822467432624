package pinn.runtime.service;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.Serial;
import pinn.runtime.Valuation;
import pinn.runtime.ValuationColumns;
import pinn.runtime.engine.PricedBatch;
import pinn.runtime.engine.PricedOption;

/**
 * The answers of {@code POST /v1/price}, in the units of {@link Valuation}: price in currency,
 * delta ∂V/∂S, gamma ∂²V/∂S² per unit of S, theta ∂V/∂t per calendar year, vega per 1.00 of σ,
 * rho per 1.00 of r. {@code engine} says what produced each result ({@code pinn-cpu},
 * {@code pinn-cuda} or {@code analytic}) and {@code fallback} why it was not the first engine of
 * the chain ({@code none}, {@code outside-domain}, {@code self-check}, {@code engine-failed},
 * {@code model-unavailable}).
 */
final class PriceResponse {

    private PriceResponse() {}

    /**
     * The answer to an all-scalar request: one option, every field a scalar, in the order price,
     * delta, gamma, theta, vega, rho, engine, fallback. Written by {@link SingleSerializer}: this
     * is the service's hottest answer.
     */
    @JsonSerialize(using = SingleSerializer.class)
    record Single(double price, double delta, double gamma, double theta, double vega, double rho, String engine, String fallback) {

        static Single of(PricedOption option) {
            Valuation v = option.valuation();
            return new Single(v.price(), v.delta(), v.gamma(), v.theta(), v.vega(), v.rho(), option.engine().label(),
                    option.fallback().label());
        }
    }

    /** The answer to a request with at least one array field: {@code count} options, every field an array in request order. */
    @JsonPropertyOrder({"count", "price", "delta", "gamma", "theta", "vega", "rho", "engine", "fallback"})
    record Batch(int count, @JsonSerialize(using = DoubleJson.ArraySerializer.class) double[] price,
                 @JsonSerialize(using = DoubleJson.ArraySerializer.class) double[] delta,
                 @JsonSerialize(using = DoubleJson.ArraySerializer.class) double[] gamma,
                 @JsonSerialize(using = DoubleJson.ArraySerializer.class) double[] theta,
                 @JsonSerialize(using = DoubleJson.ArraySerializer.class) double[] vega,
                 @JsonSerialize(using = DoubleJson.ArraySerializer.class) double[] rho, String[] engine, String[] fallback) {

        static Batch of(PricedBatch batch) {
            int n = batch.size();
            ValuationColumns v = batch.valuations();
            double[][] columns = v.toArrays();
            String[] engines = new String[n];
            String[] fallbacks = new String[n];
            for (int i = 0; i < n; i++) {
                engines[i] = batch.engine(i).label();
                fallbacks[i] = batch.fallback(i).label();
            }
            return new Batch(n, columns[0], columns[1], columns[2], columns[3], columns[4], columns[5], engines, fallbacks);
        }
    }

    /** Writes a {@link Single} field by field, its numbers through {@link DoubleJson} (no string per number). */
    static final class SingleSerializer extends StdSerializer<Single> {

        @Serial
        private static final long serialVersionUID = 1L;

        private static final SerializedString PRICE = new SerializedString("price"), DELTA = new SerializedString("delta"),
                GAMMA = new SerializedString("gamma"), THETA = new SerializedString("theta"), VEGA = new SerializedString("vega"),
                RHO = new SerializedString("rho"), ENGINE = new SerializedString("engine"), FALLBACK = new SerializedString("fallback");

        SingleSerializer() {
            super(Single.class);
        }

        @Override
        public void serialize(Single single, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject(single);
            gen.writeFieldName(PRICE);
            DoubleJson.write(gen, single.price());
            gen.writeFieldName(DELTA);
            DoubleJson.write(gen, single.delta());
            gen.writeFieldName(GAMMA);
            DoubleJson.write(gen, single.gamma());
            gen.writeFieldName(THETA);
            DoubleJson.write(gen, single.theta());
            gen.writeFieldName(VEGA);
            DoubleJson.write(gen, single.vega());
            gen.writeFieldName(RHO);
            DoubleJson.write(gen, single.rho());
            gen.writeFieldName(ENGINE);
            gen.writeString(single.engine());
            gen.writeFieldName(FALLBACK);
            gen.writeString(single.fallback());
            gen.writeEndObject();
        }
    }
}
