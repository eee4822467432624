/**
 * The accuracy report of a trained option-pricing network against the analytic Black-Scholes
 * oracle: a dense {@link pinn.runtime.accuracy.AccuracyGrid} over the model's domain, the
 * {@link pinn.runtime.accuracy.AccuracyReport} of relative L2 and max errors of the price and the
 * five Greeks per unit strike judged against {@link pinn.runtime.accuracy.AccuracyTargets}, and
 * {@link pinn.runtime.accuracy.ErrorHeatMap} PNGs of where over S/K × τ the errors lie.
 */
package pinn.runtime.accuracy;
