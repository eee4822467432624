package pinn.runtime.engine;

import pinn.runtime.BlackScholes;
import pinn.runtime.OptionType;
import pinn.runtime.ValuationColumns;

/** The closed-form Black-Scholes formula as the chain's last link: exact, never the network, never fails on valid input. */
final class AnalyticEngine implements PricingEngine {

    @Override
    public Engine id() {
        return Engine.ANALYTIC;
    }

    @Override
    public void price(OptionBatch batch, int from, int to, boolean greeks, ValuationColumns out) {
        for (int i = from; i < to; i++) {
            out.set(i, BlackScholes.value(batch.type(i), batch.spot(i), batch.strike(i), batch.expiry(i), batch.rate(i), batch.vol(i)));
        }
    }

    /** Always with the Greeks: the formula gives them at no extra cost. */
    @Override
    public void priceOne(OptionType type, double spot, double strike, double expiry, double rate, double vol, boolean greeks,
                         ValuationColumns out, int index) {
        out.set(index, BlackScholes.value(type, spot, strike, expiry, rate, vol));
    }

    @Override
    public int chunkSize() {
        return 4096;
    }
}
