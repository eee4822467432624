package pinn.runtime.train;

import java.util.Arrays;
import pinn.runtime.model.Domain;

/**
 * What to train and how.
 *
 * @param hidden hidden layer widths, e.g. {64, 64, 64, 64}
 * @param points interior collocation points per step
 * @param boundaryPoints boundary points (|z| = 8) per step
 * @param adamSteps Adam steps before L-BFGS
 * @param learningRate the first Adam learning rate
 * @param finalLearningRate the last one: the rate decays geometrically between the two
 * @param resampleEvery steps between residual-based resamplings (0: never)
 * @param lbfgsIterations L-BFGS iterations after Adam (0: none)
 * @param seed seeds the initial weights, the Sobol shift and resampling
 * @param domain the domain the model will serve (training covers a slightly wider one)
 */
public record TrainingConfig(int[] hidden, int points, int boundaryPoints, int adamSteps, double learningRate,
                             double finalLearningRate, int resampleEvery, int lbfgsIterations, long seed, Domain domain) {

    /** The domain of the issue: S/K ∈ [0.5, 2], τ ∈ [0.02, 2] years, σ ∈ [0.05, 0.80], r ∈ [0, 0.10]. */
    public static final Domain DEFAULT_DOMAIN = new Domain(0.5, 2.0, 0.02, 2.0, 0.05, 0.80, 0.0, 0.10);

    public TrainingConfig {
        hidden = hidden.clone();
        if (hidden.length == 0) throw new IllegalArgumentException("hidden: need at least one hidden layer");
        for (int width : hidden) if (width < 1) throw new IllegalArgumentException("hidden: widths must be >= 1, were " + Arrays.toString(hidden));
        if (points < 1) throw new IllegalArgumentException("points must be >= 1, was " + points);
        if (boundaryPoints < 0) throw new IllegalArgumentException("boundaryPoints must be >= 0, was " + boundaryPoints);
        if (adamSteps < 0) throw new IllegalArgumentException("adamSteps must be >= 0, was " + adamSteps);
        if (lbfgsIterations < 0) throw new IllegalArgumentException("lbfgsIterations must be >= 0, was " + lbfgsIterations);
        if (!(learningRate > 0) || !(finalLearningRate > 0)) throw new IllegalArgumentException("learning rates must be > 0");
        if (resampleEvery < 0) throw new IllegalArgumentException("resampleEvery must be >= 0, was " + resampleEvery);
    }

    /** Defaults for the shipped model, with the given step count, points, hidden layers and seed. */
    public static TrainingConfig defaults(int adamSteps, int points, int[] hidden, long seed) {
        return new TrainingConfig(hidden, points, Math.max(64, points / 16), adamSteps, 2e-3, 2e-5, 250, 2000, seed, DEFAULT_DOMAIN);
    }

    /** This configuration with another first Adam learning rate. */
    public TrainingConfig withLearningRate(double rate) {
        return new TrainingConfig(hidden, points, boundaryPoints, adamSteps, rate, finalLearningRate, resampleEvery, lbfgsIterations, seed, domain);
    }

    /** This configuration with another number of L-BFGS iterations. */
    public TrainingConfig withLbfgsIterations(int iterations) {
        return new TrainingConfig(hidden, points, boundaryPoints, adamSteps, learningRate, finalLearningRate, resampleEvery, iterations, seed, domain);
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    /** The Adam learning rate at {@code step} (0-based): geometric decay from the first to the last rate. */
    public double learningRateAt(long step) {
        if (adamSteps <= 1) return learningRate;
        double progress = (double) step / (adamSteps - 1);
        return learningRate * Math.pow(finalLearningRate / learningRate, progress);
    }
}
