package pinn.autodiff;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import pinn.autodiff.Primitive.Polynomial;

/**
 * A random composition of tape ops over {@link #LEAVES} leaves of shape {@link #N}×{@link #N},
 * reduced to a scalar. The same seed always builds the same expression, so it can be evaluated at
 * shifted inputs for finite differences. Every primitive and every composite op appears; inputs
 * of log and div are kept away from zero (1 + u²), those of exp bounded (tanh u).
 */
record RandomExpression(long seed, int steps) {

    static final int N = 3;
    static final int LEAVES = 3;

    /** The scalar Σ w ∘ e(leaves), with e the random expression and w fixed random weights. */
    Tensor evaluate(Tape tape, List<Tensor> leaves) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Tensor> pool = new ArrayList<>(leaves);
        for (int s = 0; s < steps; s++) {
            pool.add(step(tape, random, pool));
        }
        Tensor weights = tape.tensor(N, N, values(random, N * N, -1, 1));
        return tape.sum(tape.mul(pool.getLast(), weights));
    }

    /** Leaf values in [-1, 1], drawn from the seed. */
    double[][] leafValues() {
        return leafValuesFrom(new SplittableRandom(~seed));
    }

    static double[][] leafValuesFrom(SplittableRandom random) {
        double[][] leaves = new double[LEAVES][];
        for (int i = 0; i < LEAVES; i++) leaves[i] = values(random, N * N, -1, 1);
        return leaves;
    }

    /** The ops, one per line, replayed from the seed: what a failing example shows. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("RandomExpression(seed=" + seed + ", steps=" + steps + ")");
        SplittableRandom random = new SplittableRandom(seed);
        for (int s = 0; s < steps; s++) {
            int size = LEAVES + s;
            String op = NAMES[random.nextInt(OPS)];
            int a = random.nextInt(size), b = random.nextInt(size), c = random.nextInt(size);
            double k = -2 + 4 * random.nextDouble();
            int order = 1 + random.nextInt(4);
            out.append(String.format("%n  t%d = %s(a=t%d, b=t%d, c=t%d, k=%.3f, order=%d)", size, op, a, b, c, k, order));
        }
        return out.toString();
    }

    private static final String[] NAMES = {
        "add", "sub", "mul", "div(a, 1+b²)", "scale", "addScalar", "square", "exp(tanh)", "log(1+a²)", "tanh",
        "tanhDerivative(tanh)", "polynomial", "matmul/N", "matmulTransA/N", "matmulTransB/N", "linear(a,b,colSums c)/N",
        "addRowVector(a, colSums b)", "broadcastRows(colSums)", "broadcastColumns(rowSums)", "concat(slices)",
        "broadcast(mean)", "stackRows(rowBlocks)", "tanhJet(1 direction)", "jetLinear(a,b,colSums c, 3 blocks)/N", "tanhJetLinear(a/N,b,colSums c, 1 direction)", "neg"};
    private static final int OPS = NAMES.length;

    private static Tensor step(Tape tape, SplittableRandom random, List<Tensor> pool) {
        int op = random.nextInt(OPS);
        // Always draw the same number of values per step, so toString() can replay the ops.
        Tensor a = pool.get(random.nextInt(pool.size()));
        Tensor b = pool.get(random.nextInt(pool.size()));
        Tensor c = pool.get(random.nextInt(pool.size()));
        double k = -2 + 4 * random.nextDouble();
        int order = 1 + random.nextInt(4);
        return switch (op) {
            case 0 -> tape.add(a, b);
            case 1 -> tape.sub(a, b);
            case 2 -> tape.mul(a, b);
            case 3 -> tape.div(a, tape.addScalar(tape.square(b), 1));
            case 4 -> tape.scale(a, k);
            case 5 -> tape.addScalar(a, k);
            case 6 -> tape.square(a);
            case 7 -> tape.exp(tape.tanh(a));
            case 8 -> tape.log(tape.addScalar(tape.square(a), 1));
            case 9 -> tape.tanh(a);
            case 10 -> tape.tanhDerivative(order, tape.tanh(a));
            case 11 -> tape.polynomial(a, new Polynomial(values(new SplittableRandom(Double.doubleToLongBits(k)), order, -1, 1)));
            case 12 -> tape.scale(tape.matmul(a, b), 1.0 / N);
            case 13 -> tape.scale(tape.matmulTransA(a, b), 1.0 / N);
            case 14 -> tape.scale(tape.matmulTransB(a, b), 1.0 / N);
            case 15 -> tape.scale(tape.linear(a, b, tape.columnSums(c)), 1.0 / N);
            case 16 -> tape.addRowVector(a, tape.columnSums(b));
            case 17 -> tape.broadcastRows(tape.columnSums(a), N);
            case 18 -> tape.broadcastColumns(tape.rowSums(a), N);
            case 19 -> tape.concatColumns(tape.sliceColumns(a, 0, 1), tape.sliceColumns(b, 1, N));
            case 20 -> tape.broadcastRows(tape.broadcastColumns(tape.mean(a), N), N);
            // N = 3 rows: a jet along one direction, one row per block (value, tangent, second)
            case 21 -> tape.stackRows(tape.rowBlock(a, 0, 1), tape.rowBlock(b, 1, N - 1));
            case 22 -> tape.tanhJet(a, 1);
            case 23 -> tape.scale(tape.jetLinear(a, b, tape.columnSums(c), 3), 1.0 / N);
            case 24 -> tape.tanhJetLinear(tape.scale(a, 1.0 / N), b, tape.columnSums(c), 1);
            default -> tape.neg(a);
        };
    }

    static double[] values(SplittableRandom random, int n, double low, double high) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = low + (high - low) * random.nextDouble();
        return v;
    }
}
