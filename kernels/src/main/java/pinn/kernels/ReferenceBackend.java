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
    public void tanhJet(int n, int directions, MemorySegment z, MemorySegment out) {
        checkJet(n, directions);
        long second = (long) (directions + 1) * n;
        for (int i = 0; i < n; i++) {
            double t = Math.tanh(get(z, i));
            double d1 = 1 - t * t;
            double d2 = t * -2 * d1;
            set(out, i, t);
            for (int k = 1; k <= directions; k++) set(out, (long) k * n + i, d1 * get(z, (long) k * n + i));
            double a1 = get(z, (long) n + i);
            set(out, second + i, d1 * get(z, second + i) + d2 * (a1 * a1));
        }
    }

    @Override
    public void tanhJetBackward(int n, int directions, MemorySegment y, MemorySegment g, MemorySegment out) {
        checkJet(n, directions);
        long second = (long) (directions + 1) * n;
        for (int i = 0; i < n; i++) {
            double t = get(y, i);
            double d1 = 1 - t * t;
            double u = t * -2;
            double y1 = get(y, (long) n + i), gc = get(g, second + i);
            double sum = get(g, i) * d1;
            for (int k = 1; k <= directions; k++) sum = sum + get(g, (long) k * n + i) * get(y, (long) k * n + i) * u;
            sum = sum + gc * (get(y, second + i) * u - y1 * y1 * 2);
            set(out, i, sum);
            set(out, (long) n + i, get(g, (long) n + i) * d1 + gc * y1 * u * 2);
            for (int k = 2; k <= directions; k++) set(out, (long) k * n + i, get(g, (long) k * n + i) * d1);
            set(out, second + i, gc * d1);
        }
    }

    @Override
    public void tanhJetLinear(int rows, int directions, int k, int m, MemorySegment x, MemorySegment w, MemorySegment b,
                              MemorySegment out) {
        checkJet(rows, directions);
        int blocks = directions + 2;
        double[] z = new double[blocks * m];
        for (int i = 0; i < rows; i++) {
            // the point's z in every block, then the chain rule as tanhJet with blocks of m values
            for (int block = 0; block < blocks; block++) {
                long row = (long) block * rows + i;
                for (int j = 0; j < m; j++) {
                    double sum = 0;
                    for (int p = 0; p < k; p++) sum += get(x, row * k + p) * get(w, (long) p * m + j);
                    z[block * m + j] = block == 0 ? sum + get(b, j) : sum;
                }
            }
            for (int j = 0; j < m; j++) {
                double t = Math.tanh(z[j]);
                double d1 = 1 - t * t;
                double d2 = t * -2 * d1;
                set(out, (long) i * m + j, t);
                for (int block = 1; block <= directions; block++) set(out, ((long) block * rows + i) * m + j, d1 * z[block * m + j]);
                double a1 = z[m + j];
                set(out, ((long) (directions + 1) * rows + i) * m + j, d1 * z[(directions + 1) * m + j] + d2 * (a1 * a1));
            }
        }
    }

    /** The composition, in this backend's plain loops: tanhJetBackward, then the three products' sums. */
    @Override
    public void tanhJetLinearBackward(int rows, int directions, int k, int m, MemorySegment x, MemorySegment w,
                                      MemorySegment y, MemorySegment g, MemorySegment dx, MemorySegment dw, MemorySegment db) {
        checkJet(rows, directions);
        int stacked = (directions + 2) * rows;
        MemorySegment gz = MemorySegment.ofArray(new double[stacked * m]);
        tanhJetBackward(rows * m, directions, y, g, gz);
        if (dx != null) gemmTransB(stacked, k, m, gz, w, dx, false);
        gemmTransA(k, m, stacked, x, gz, dw, false);
        columnSums(rows, m, gz, db);
    }

    private static void checkJet(int n, int directions) {
        if (n < 0) throw new IllegalArgumentException("n must be >= 0, was " + n);
        if (directions < 1) throw new IllegalArgumentException("a jet needs at least one direction, got " + directions);
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
