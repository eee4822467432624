package pinn.kernels;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import java.lang.foreign.MemorySegment;

/**
 * Plain scalar loops, one obvious line per formula: the oracle that every faster backend is
 * tested against. Single-threaded and slow by design; never used on a hot path.
 */
public final class ReferenceBackend implements Backend {

    @Override
    public String name() {
        return "reference";
    }

    private static double get(MemorySegment s, long i) {
        return s.getAtIndex(JAVA_DOUBLE, i);
    }

    private static void set(MemorySegment s, long i, double v) {
        s.setAtIndex(JAVA_DOUBLE, i, v);
    }

    @Override
    public void gemm(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = accumulate ? get(c, (long) i * n + j) : 0;
                for (int p = 0; p < k; p++) sum += get(a, (long) i * k + p) * get(b, (long) p * n + j);
                set(c, (long) i * n + j, sum);
            }
        }
    }

    @Override
    public void gemmTransA(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = accumulate ? get(c, (long) i * n + j) : 0;
                for (int p = 0; p < k; p++) sum += get(a, (long) p * m + i) * get(b, (long) p * n + j);
                set(c, (long) i * n + j, sum);
            }
        }
    }

    @Override
    public void gemmTransB(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment c, boolean accumulate) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = accumulate ? get(c, (long) i * n + j) : 0;
                for (int p = 0; p < k; p++) sum += get(a, (long) i * k + p) * get(b, (long) j * k + p);
                set(c, (long) i * n + j, sum);
            }
        }
    }

    @Override
    public void gemmBias(int m, int n, int k, MemorySegment a, MemorySegment b, MemorySegment bias, MemorySegment c) {
        gemm(m, n, k, a, b, c, false);
        addRowVector(m, n, c, bias, c);
    }

    @Override
    public void add(int n, MemorySegment x, MemorySegment y, MemorySegment out) {
        for (int i = 0; i < n; i++) set(out, i, get(x, i) + get(y, i));
    }

    @Override
    public void sub(int n, MemorySegment x, MemorySegment y, MemorySegment out) {
        for (int i = 0; i < n; i++) set(out, i, get(x, i) - get(y, i));
    }

    @Override
    public void mul(int n, MemorySegment x, MemorySegment y, MemorySegment out) {
        for (int i = 0; i < n; i++) set(out, i, get(x, i) * get(y, i));
    }

    @Override
    public void div(int n, MemorySegment x, MemorySegment y, MemorySegment out) {
        for (int i = 0; i < n; i++) set(out, i, get(x, i) / get(y, i));
    }

    @Override
    public void mulAdd(int n, MemorySegment x, MemorySegment y, MemorySegment z, MemorySegment out) {
        for (int i = 0; i < n; i++) set(out, i, Math.fma(get(x, i), get(y, i), get(z, i)));
    }

    @Override
    public void scale(int n, double alpha, MemorySegment x, MemorySegment out) {
        for (int i = 0; i < n; i++) set(out, i, alpha * get(x, i));
    }

    @Override
    public void addScalar(int n, double alpha, MemorySegment x, MemorySegment out) {
        for (int i = 0; i < n; i++) set(out, i, get(x, i) + alpha);
    }

    @Override
    public void square(int n, MemorySegment x, MemorySegment out) {
        for (int i = 0; i < n; i++) set(out, i, get(x, i) * get(x, i));
    }

    @Override
    public void exp(int n, MemorySegment x, MemorySegment out) {
        for (int i = 0; i < n; i++) set(out, i, Math.exp(get(x, i)));
    }

    @Override
    public void log(int n, MemorySegment x, MemorySegment out) {
        for (int i = 0; i < n; i++) set(out, i, Math.log(get(x, i)));
    }

    @Override
    public void tanh(int n, MemorySegment x, MemorySegment out) {
        for (int i = 0; i < n; i++) set(out, i, Math.tanh(get(x, i)));
    }

    @Override
    public void tanhDerivative(int order, int n, MemorySegment tanhOfX, MemorySegment out) {
        for (int i = 0; i < n; i++) {
            double t = get(tanhOfX, i);
            double d1 = 1 - t * t;
            double value = switch (order) {
                case 1 -> d1;
                case 2 -> -2 * t * d1;
                case 3 -> -2 * d1 * (1 - 3 * t * t);
                default -> throw new IllegalArgumentException("tanh derivative order must be 1, 2 or 3, was " + order);
            };
            set(out, i, value);
        }
    }

    @Override
    public void fill(int n, double value, MemorySegment out) {
        for (int i = 0; i < n; i++) set(out, i, value);
    }

    @Override
    public void copy(int n, MemorySegment x, MemorySegment out) {
        for (int i = 0; i < n; i++) set(out, i, get(x, i));
    }

    @Override
    public void addRowVector(int rows, int cols, MemorySegment x, MemorySegment v, MemorySegment out) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) set(out, (long) r * cols + c, get(x, (long) r * cols + c) + get(v, c));
        }
    }

    @Override
    public void columnSums(int rows, int cols, MemorySegment x, MemorySegment out) {
        for (int c = 0; c < cols; c++) {
            double sum = 0;
            for (int r = 0; r < rows; r++) sum += get(x, (long) r * cols + c);
            set(out, c, sum);
        }
    }

    @Override
    public void rowSums(int rows, int cols, MemorySegment x, MemorySegment out) {
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += get(x, (long) r * cols + c);
            set(out, r, sum);
        }
    }

    @Override
    public void adam(int n, MemorySegment params, MemorySegment grads, MemorySegment firstMoment,
                     MemorySegment secondMoment, AdamConfig config, long step) {
        double correction1 = 1 - Math.pow(config.beta1(), step);
        double correction2 = 1 - Math.pow(config.beta2(), step);
        for (int i = 0; i < n; i++) {
            double g = get(grads, i);
            double m = config.beta1() * get(firstMoment, i) + (1 - config.beta1()) * g;
            double v = config.beta2() * get(secondMoment, i) + (1 - config.beta2()) * g * g;
            set(firstMoment, i, m);
            set(secondMoment, i, v);
            double mHat = m / correction1;
            double vHat = v / correction2;
            set(params, i, get(params, i) - config.learningRate() * mHat / (Math.sqrt(vHat) + config.epsilon()));
        }
    }
}
