package pinn.runtime;

/**
 * The price of one option and its five first- and second-order sensitivities, in the project's
 * units (see GUIDE.md): spot S and strike K in currency, time to expiry τ in years, rate r and
 * volatility σ as decimals (0.05, 0.20).
 *
 * @param price the option value V, in currency
 * @param delta ∂V/∂S, currency per unit of spot (dimensionless for a unit contract)
 * @param gamma ∂²V/∂S², per unit of S (currency per currency²)
 * @param theta ∂V/∂t in calendar time, currency per year; equal to −∂V/∂τ, so a long vanilla
 *     option usually has negative theta
 * @param vega ∂V/∂σ, currency per 1.00 of σ (divide by 100 for "per vol point")
 * @param rho ∂V/∂r, currency per 1.00 of r (divide by 100 for "per percentage point")
 */
public record Valuation(double price, double delta, double gamma, double theta, double vega, double rho) {
}
