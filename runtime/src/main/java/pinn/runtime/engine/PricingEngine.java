package pinn.runtime.engine;

import pinn.runtime.OptionType;
import pinn.runtime.ValuationColumns;

/**
 * One link of the fallback chain: something that prices options and may fail, in which case the
 * next link re-prices what it was given.
 */
public interface PricingEngine {

    /** Which engine this is, as results report it. */
    Engine id();

    /**
     * Prices options {@code [from, to)} of {@code batch} into the same indices of {@code out}; with
     * {@code greeks} false, the Greeks are NaN. Called from several threads at once on disjoint
     * ranges.
     *
     * @throws RuntimeException if the engine fails; the chain then re-prices the range
     */
    void price(OptionBatch batch, int from, int to, boolean greeks, ValuationColumns out);

    /**
     * Prices one option into index {@code index} of {@code out}, on the calling thread: the
     * latency path, which should allocate nothing.
     *
     * @throws RuntimeException if the engine fails; the chain then re-prices the option
     */
    void priceOne(OptionType type, double spot, double strike, double expiry, double rate, double vol, boolean greeks,
                  ValuationColumns out, int index);

    /** The range size this engine works best on; the chain splits batches into pieces this large and prices them in parallel. */
    int chunkSize();

    /**
     * False once this engine can no longer price at all (its GPU failed, so every further call
     * would be refused); the chain then skips it, and the next engine leads.
     */
    default boolean usable() {
        return true;
    }
}
