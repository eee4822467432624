package pinn.runtime.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Wraps a function to see what the optimiser does: every evaluation, the point accepted at each
 * iteration, and the first trial of each line search that follows one.
 */
final class RecordingFunction implements DifferentiableFunction, IterationCallback {

    /** One call of the wrapped function. */
    record Evaluation(double[] point, double[] gradient, double value) { }

    private final DifferentiableFunction function;
    final List<Evaluation> evaluations = new ArrayList<>();
    /** acceptedPoints.get(k) is the point after iteration k; index 0 is the start. */
    final List<double[]> acceptedPoints = new ArrayList<>();
    /** firstTrials.get(k) is the first trial of the line search from acceptedPoints.get(k). */
    final List<double[]> firstTrials = new ArrayList<>();

    RecordingFunction(DifferentiableFunction function) {
        this.function = function;
    }

    @Override
    public double valueAndGradient(double[] point, double[] gradientOut) {
        double value = function.valueAndGradient(point, gradientOut);
        if (evaluations.isEmpty()) {
            acceptedPoints.add(point.clone());
        } else if (firstTrials.size() < acceptedPoints.size()) {
            firstTrials.add(point.clone());
        }
        evaluations.add(new Evaluation(point.clone(), gradientOut.clone(), value));
        return value;
    }

    @Override
    public boolean afterIteration(int iteration, double value, double gradientNorm) {
        // The accepted point is the latest evaluation with exactly the reported value.
        Evaluation accepted = evaluations.reversed().stream()
                .filter(evaluation -> evaluation.value() == value)
                .findFirst().orElseThrow();
        acceptedPoints.add(accepted.point());
        return true;
    }

    static double distance(double[] u, double[] v) {
        double sum = 0;
        for (int i = 0; i < u.length; i++) {
            sum += (u[i] - v[i]) * (u[i] - v[i]);
        }
        return Math.sqrt(sum);
    }
}
