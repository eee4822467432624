package pinn.runtime;

/**
 * Anything that prices European calls per unit strike (K = 1) at a batch of points, with the five
 * Greeks: the trained network, or the analytic formula as the oracle it is checked against.
 */
@FunctionalInterface
public interface CallPricer {

    /** One valuation per point, in the points' order, all for strike 1. */
    Valuation[] priceCalls(OptionPoints points);
}
