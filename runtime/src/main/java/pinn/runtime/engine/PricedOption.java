package pinn.runtime.engine;

import pinn.runtime.Valuation;

/**
 * One option's price and Greeks (units in {@link Valuation}), the engine that produced them and
 * why the chain fell back to it ({@link FallbackReason#NONE} if it did not).
 */
public record PricedOption(Valuation valuation, Engine engine, FallbackReason fallback) {

    public double price() {
        return valuation.price();
    }
}
