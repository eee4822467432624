package pinn.runtime.train;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Functions with known minima for the optimiser tests. */
final class TestFunctions {

    private TestFunctions() {
    }

    /**
     * The chained Rosenbrock function Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)², minimum 0 at (1, ..., 1).
     */
    static double rosenbrock(double[] x, double[] gradient) {
        Arrays.fill(gradient, 0.0);
        double value = 0;
        for (int i = 0; i + 1 < x.length; i++) {
            double valley = x[i + 1] - x[i] * x[i];
            double offset = 1 - x[i];
            value += 100 * valley * valley + offset * offset;
            gradient[i] += -400 * valley * x[i] - 2 * offset;
            gradient[i + 1] += 200 * valley;
        }
        return value;
    }

    /** The standard start (−1.2, 1, −1.2, 1, ...). */
    static double[] rosenbrockStart(int dimension) {
        double[] start = new double[dimension];
        for (int i = 0; i < dimension; i++) {
            start[i] = i % 2 == 0 ? -1.2 : 1.0;
        }
        return start;
    }

    /** ½ (x − minimizer)ᵀ A (x − minimizer) for a symmetric positive definite A; minimum 0. */
    record Quadratic(double[][] matrix, double[] minimizer) implements DifferentiableFunction {

        @Override
        public double valueAndGradient(double[] point, double[] gradientOut) {
            int n = minimizer.length;
            double value = 0;
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    sum += matrix[i][j] * (point[j] - minimizer[j]);
                }
                gradientOut[i] = sum;
                value += 0.5 * (point[i] - minimizer[i]) * sum;
            }
            return value;
        }

        /**
         * Q diag(λ) Qᵀ with eigenvalues spread geometrically over [1, conditionNumber] and Q a product
         * of random Householder reflections, plus a random minimizer in [−5, 5]ⁿ.
         */
        static Quadratic random(int dimension, double conditionNumber, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            double[][] q = new double[dimension][dimension];
            for (int i = 0; i < dimension; i++) {
                q[i][i] = 1;
            }
            for (int reflection = 0; reflection < 3; reflection++) {
                double[] v = new double[dimension];
                double norm2 = 0;
                for (int i = 0; i < dimension; i++) {
                    v[i] = random.nextDouble(-1, 1);
                    norm2 += v[i] * v[i];
                }
                if (norm2 == 0) {
                    continue;
                }
                // Q ← Q (I − 2 v vᵀ / vᵀv)
                for (int row = 0; row < dimension; row++) {
                    double projection = 0;
                    for (int k = 0; k < dimension; k++) {
                        projection += q[row][k] * v[k];
                    }
                    double factor = 2 * projection / norm2;
                    for (int k = 0; k < dimension; k++) {
                        q[row][k] -= factor * v[k];
                    }
                }
            }
            double[] eigenvalues = new double[dimension];
            for (int i = 0; i < dimension; i++) {
                double fraction = dimension == 1 ? 0 : (double) i / (dimension - 1);
                eigenvalues[i] = Math.pow(conditionNumber, fraction);
            }
            double[][] matrix = new double[dimension][dimension];
            for (int i = 0; i < dimension; i++) {
                for (int j = 0; j <= i; j++) {
                    double sum = 0;
                    for (int k = 0; k < dimension; k++) {
                        sum += q[i][k] * eigenvalues[k] * q[j][k];
                    }
                    matrix[i][j] = sum;
                    matrix[j][i] = sum;
                }
            }
            double[] minimizer = new double[dimension];
            for (int i = 0; i < dimension; i++) {
                minimizer[i] = random.nextDouble(-5, 5);
            }
            return new Quadratic(matrix, minimizer);
        }
    }

    /** ½ Σ λ_i (x_i − 1)², λ_i spread evenly over [1, maxEigenvalue]: a cheap large problem. */
    static DifferentiableFunction diagonalQuadratic(int dimension, double maxEigenvalue) {
        double[] eigenvalues = new double[dimension];
        for (int i = 0; i < dimension; i++) {
            eigenvalues[i] = 1 + (maxEigenvalue - 1) * i / Math.max(1, dimension - 1);
        }
        return (x, gradient) -> {
            double value = 0;
            for (int i = 0; i < x.length; i++) {
                double offset = x[i] - 1;
                gradient[i] = eigenvalues[i] * offset;
                value += 0.5 * eigenvalues[i] * offset * offset;
            }
            return value;
        };
    }

    static double maxDistance(double[] x, double[] y) {
        double distance = 0;
        for (int i = 0; i < x.length; i++) {
            distance = Math.max(distance, Math.abs(x[i] - y[i]));
        }
        return distance;
    }

    static double[] filled(int dimension, double value) {
        double[] array = new double[dimension];
        Arrays.fill(array, value);
        return array;
    }
}
