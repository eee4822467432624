package pinn.kernels;

/**
 * Adam hyperparameters.
 *
 * @param learningRate step size (dimensionless, in units of the parameters per unit gradient scale)
 * @param beta1 decay of the first moment estimate, in [0, 1)
 * @param beta2 decay of the second moment estimate, in [0, 1)
 * @param epsilon added to the root of the second moment to avoid division by zero
 */
public record AdamConfig(double learningRate, double beta1, double beta2, double epsilon) {

    public AdamConfig {
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be finite and > 0, was " + learningRate);
        }
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), was " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), was " + beta2);
        if (!(epsilon > 0)) throw new IllegalArgumentException("epsilon must be > 0, was " + epsilon);
    }

    /** The usual defaults (β1 = 0.9, β2 = 0.999, ε = 1e-8) with the given learning rate. */
    public static AdamConfig withLearningRate(double learningRate) {
        return new AdamConfig(learningRate, 0.9, 0.999, 1e-8);
    }
}
