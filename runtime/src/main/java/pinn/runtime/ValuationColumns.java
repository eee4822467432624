package pinn.runtime;

import java.util.Arrays;

/**
 * Prices and Greeks of many options stored column by column, in the units of {@link Valuation}:
 * the form batch paths write without allocating a record per option. Mutable, and not safe for
 * concurrent writes to the same index.
 */
public final class ValuationColumns {

    private final double[] price, delta, gamma, theta, vega, rho;

    /** Room for {@code size} options, all zero. */
    public ValuationColumns(int size) {
        price = new double[size];
        delta = new double[size];
        gamma = new double[size];
        theta = new double[size];
        vega = new double[size];
        rho = new double[size];
    }

    public int size() {
        return price.length;
    }

    /** The valuation at {@code index}. */
    public Valuation get(int index) {
        return new Valuation(price[index], delta[index], gamma[index], theta[index], vega[index], rho[index]);
    }

    /** Stores {@code v} at {@code index}. */
    public void set(int index, Valuation v) {
        set(index, v.price(), v.delta(), v.gamma(), v.theta(), v.vega(), v.rho());
    }

    /** Stores the six numbers at {@code index}, in {@link Valuation}'s order. */
    public void set(int index, double price, double delta, double gamma, double theta, double vega, double rho) {
        this.price[index] = price;
        this.delta[index] = delta;
        this.gamma[index] = gamma;
        this.theta[index] = theta;
        this.vega[index] = vega;
        this.rho[index] = rho;
    }

    /**
     * Stores an option of strike K from the call per unit strike, {@code perUnitStrike} = (v,
     * ∂v/∂m, ∂²v/∂m², θ/K, vega/K, rho/K) from {@code offset}: by homogeneity V = K·v(S/K, …), so
     * delta is unchanged and gamma is divided by K; a put follows by {@link PutCallParity}.
     */
    public void setFromPerUnitStrike(int index, OptionType type, double spot, double strike, double expiry, double rate,
                                     double[] perUnitStrike, int offset) {
        double callPrice = strike * perUnitStrike[offset];
        double callDelta = perUnitStrike[offset + 1];
        double callGamma = perUnitStrike[offset + 2] / strike;
        double callTheta = strike * perUnitStrike[offset + 3];
        double callVega = strike * perUnitStrike[offset + 4];
        double callRho = strike * perUnitStrike[offset + 5];
        if (type == OptionType.CALL) {
            set(index, callPrice, callDelta, callGamma, callTheta, callVega, callRho);
        } else {
            double discountedStrike = strike * Math.exp(-rate * expiry);
            set(index, PutCallParity.putPrice(callPrice, spot, discountedStrike), callDelta - 1, callGamma,
                    PutCallParity.putTheta(callTheta, rate, discountedStrike), callVega,
                    PutCallParity.putRho(callRho, expiry, discountedStrike));
        }
    }

    /**
     * Stores the price alone of an option of strike K from the call per unit strike v (as
     * {@link #setFromPerUnitStrike}); the Greeks are stored as NaN, since they were not computed.
     */
    public void setPriceFromPerUnitStrike(int index, OptionType type, double spot, double strike, double expiry, double rate,
                                          double perUnitStrikePrice) {
        double callPrice = strike * perUnitStrikePrice;
        double price = type == OptionType.CALL ? callPrice : PutCallParity.putPrice(callPrice, spot, strike * Math.exp(-rate * expiry));
        set(index, price, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    public double price(int index) {
        return price[index];
    }

    public double delta(int index) {
        return delta[index];
    }

    public double gamma(int index) {
        return gamma[index];
    }

    public double theta(int index) {
        return theta[index];
    }

    public double vega(int index) {
        return vega[index];
    }

    public double rho(int index) {
        return rho[index];
    }

    /** Copies of the columns, in {@link Valuation}'s order: price, delta, gamma, theta, vega, rho. */
    public double[][] toArrays() {
        return new double[][] {price.clone(), delta.clone(), gamma.clone(), theta.clone(), vega.clone(), rho.clone()};
    }

    /** Zeros every column. */
    public void clear() {
        for (double[] column : new double[][] {price, delta, gamma, theta, vega, rho}) Arrays.fill(column, 0);
    }
}
