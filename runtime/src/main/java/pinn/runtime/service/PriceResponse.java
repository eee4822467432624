package pinn.runtime.service;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
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

    /** The answer to an all-scalar request: one option, every field a scalar. */
    @JsonPropertyOrder({"price", "delta", "gamma", "theta", "vega", "rho", "engine", "fallback"})
    record Single(double price, double delta, double gamma, double theta, double vega, double rho, String engine, String fallback) {

        static Single of(PricedOption option) {
            Valuation v = option.valuation();
            return new Single(v.price(), v.delta(), v.gamma(), v.theta(), v.vega(), v.rho(), option.engine().label(),
                    option.fallback().label());
        }
    }

    /** The answer to a request with at least one array field: {@code count} options, every field an array in request order. */
    @JsonPropertyOrder({"count", "price", "delta", "gamma", "theta", "vega", "rho", "engine", "fallback"})
    record Batch(int count, double[] price, double[] delta, double[] gamma, double[] theta, double[] vega, double[] rho, String[] engine,
                 String[] fallback) {

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
}
