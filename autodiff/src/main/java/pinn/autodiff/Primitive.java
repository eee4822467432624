package pinn.autodiff;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import pinn.kernels.Backend;

/**
 * The primitive operations a {@link Tape} records, and what each one computes.
 *
 * <p>Each primitive is a small record (its parameters, if any) that knows two things: the shape of
 * its output, and how to compute it with the {@link Backend}. How a primitive is differentiated
 * lives apart, in {@link DerivativeRules}, as in JAX: the set is closed under differentiation
 * (every rule is written with these same primitives), so gradients can be taken to any order.
 *
 * <p>Elementwise binary primitives need equal shapes; broadcasting is always explicit, through
 * {@link AddRowVector}, {@link BroadcastRows} and the reductions, whose rules are each other.
 */
public sealed interface Primitive {

    /** The output shape for these inputs; throws {@link IllegalArgumentException} if they do not fit. */
    Shape outputShape(Tensor[] in);

    /**
     * Writes the result for inputs {@code in} into {@code out}, a tensor of {@link #outputShape}.
     * Every value of {@code out} must be written: it may hold stale values from reused memory.
     */
    void compute(Backend backend, Tensor[] in, Tensor out);

    // ---- matrix products ----

    /**
     * op(A) · op(B), where op transposes when its flag is set. At most one operand is transposed:
     * the rules of these three forms need only these three forms.
     */
    record MatMul(boolean transposeA, boolean transposeB) implements Primitive {
        public MatMul {
            if (transposeA && transposeB) throw new IllegalArgumentException("MatMul transposes at most one operand");
        }

        @Override
        public Shape outputShape(Tensor[] in) {
            checkArity(this, in, 2);
            Tensor a = in[0], b = in[1];
            int inner = transposeA ? a.rows() : a.cols();
            int innerB = transposeB ? b.cols() : b.rows();
            if (inner != innerB) throw mismatch(this, in);
            return new Shape(transposeA ? a.cols() : a.rows(), transposeB ? b.rows() : b.cols());
        }

        @Override
        public void compute(Backend backend, Tensor[] in, Tensor out) {
            int m = out.rows(), n = out.cols(), k = transposeA ? in[0].rows() : in[0].cols();
            MemorySegment a = in[0].kernelData(), b = in[1].kernelData(), c = out.kernelData();
            if (transposeA) backend.gemmTransA(m, n, k, a, b, c, false);
            else if (transposeB) backend.gemmTransB(m, n, k, a, b, c, false);
            else backend.gemm(m, n, k, a, b, c, false);
        }
    }

    /** The affine layer x·W + b (b a 1×n row added to every row), fused into one kernel. */
    record Linear() implements Primitive {
        @Override
        public Shape outputShape(Tensor[] in) {
            checkArity(this, in, 3);
            Tensor x = in[0], w = in[1], b = in[2];
            if (x.cols() != w.rows() || b.rows() != 1 || b.cols() != w.cols()) throw mismatch(this, in);
            return new Shape(x.rows(), w.cols());
        }

        @Override
        public void compute(Backend backend, Tensor[] in, Tensor out) {
            backend.gemmBias(out.rows(), out.cols(), in[0].cols(), in[0].kernelData(), in[1].kernelData(), in[2].kernelData(), out.kernelData());
        }
    }

    // ---- elementwise: the output has the shape of the (equal-shaped) inputs ----

    /** A primitive applied value by value to {@link #arity()} tensors of one shape. */
    sealed interface Elementwise extends Primitive {
        int arity();

        @Override
        default Shape outputShape(Tensor[] in) {
            checkArity(this, in, arity());
            for (Tensor t : in) if (!t.shape().equals(in[0].shape())) throw mismatch(this, in);
            return in[0].shape();
        }
    }

    /** a + b. */
    record Add() implements Elementwise {
        public int arity() { return 2; }
        public void compute(Backend backend, Tensor[] in, Tensor out) { backend.add(out.size(), in[0].kernelData(), in[1].kernelData(), out.kernelData()); }
    }

    /** a − b. */
    record Sub() implements Elementwise {
        public int arity() { return 2; }
        public void compute(Backend backend, Tensor[] in, Tensor out) { backend.sub(out.size(), in[0].kernelData(), in[1].kernelData(), out.kernelData()); }
    }

    /** a · b, value by value. */
    record Mul() implements Elementwise {
        public int arity() { return 2; }
        public void compute(Backend backend, Tensor[] in, Tensor out) { backend.mul(out.size(), in[0].kernelData(), in[1].kernelData(), out.kernelData()); }
    }

    /** a / b, value by value. */
    record Div() implements Elementwise {
        public int arity() { return 2; }
        public void compute(Backend backend, Tensor[] in, Tensor out) { backend.div(out.size(), in[0].kernelData(), in[1].kernelData(), out.kernelData()); }
    }

    /** c · x for a constant c. */
    record Scale(double factor) implements Elementwise {
        public int arity() { return 1; }
        public void compute(Backend backend, Tensor[] in, Tensor out) { backend.scale(out.size(), factor, in[0].kernelData(), out.kernelData()); }
    }

    /** x + c for a constant c. */
    record AddScalar(double constant) implements Elementwise {
        public int arity() { return 1; }
        public void compute(Backend backend, Tensor[] in, Tensor out) { backend.addScalar(out.size(), constant, in[0].kernelData(), out.kernelData()); }
    }

    /** x². */
    record Square() implements Elementwise {
        public int arity() { return 1; }
        public void compute(Backend backend, Tensor[] in, Tensor out) { backend.square(out.size(), in[0].kernelData(), out.kernelData()); }
    }

    /** eˣ. */
    record Exp() implements Elementwise {
        public int arity() { return 1; }
        public void compute(Backend backend, Tensor[] in, Tensor out) { backend.exp(out.size(), in[0].kernelData(), out.kernelData()); }
    }

    /** ln x. */
    record Log() implements Elementwise {
        public int arity() { return 1; }
        public void compute(Backend backend, Tensor[] in, Tensor out) { backend.log(out.size(), in[0].kernelData(), out.kernelData()); }
    }

    /** tanh x. */
    record Tanh() implements Elementwise {
        public int arity() { return 1; }
        public void compute(Backend backend, Tensor[] in, Tensor out) { backend.tanh(out.size(), in[0].kernelData(), out.kernelData()); }
    }

    /**
     * The {@code order}-th derivative of tanh, as a function of t = tanh(x) (its input is t, not
     * x): the polynomial {@link #polynomial(int) p_order}(t). Orders 1 to 3 have a kernel; the rule
     * goes on with {@link Polynomial}, so tanh is differentiable to any order.
     */
    record TanhDerivative(int order) implements Elementwise {
        public TanhDerivative {
            if (order < 1 || order > 3) throw new IllegalArgumentException("TanhDerivative order must be 1, 2 or 3, was " + order);
        }

        public int arity() { return 1; }

        public void compute(Backend backend, Tensor[] in, Tensor out) {
            backend.tanhDerivative(order, out.size(), in[0].kernelData(), out.kernelData());
        }

        /**
         * p_k with tanh⁽ᵏ⁾(x) = p_k(tanh x), for any k ≥ 0: p_0(t) = t and, since dt/dx = 1 − t²,
         * p_{k+1} = p_k' · (1 − t²).
         */
        public static Polynomial polynomial(int order) {
            Polynomial p = new Polynomial(0, 1);
            for (int k = 0; k < order; k++) p = p.derivative().times(new Polynomial(1, 0, -1));
            return p;
        }
    }

    /**
     * c₀ + c₁x + c₂x² + …, value by value (no coefficients: the zero polynomial). Its derivative
     * is again a polynomial, which closes the higher derivatives of tanh.
     */
    record Polynomial(double... coefficients) implements Elementwise {
        public Polynomial {
            coefficients = coefficients.clone();
        }

        @Override
        public double[] coefficients() {
            return coefficients.clone();
        }

        public int arity() { return 1; }

        /** Horner's scheme, out = (…(c_d·x + c_{d−1})·x + …)·x + c₀, skipping zero coefficients. */
        public void compute(Backend backend, Tensor[] in, Tensor out) {
            int n = out.size(), d = coefficients.length - 1;
            if (d <= 0) {
                backend.fill(n, d < 0 ? 0 : coefficients[0], out.kernelData());
                return;
            }
            backend.scale(n, coefficients[d], in[0].kernelData(), out.kernelData());
            for (int i = d - 1; i >= 0; i--) {
                if (coefficients[i] != 0) backend.addScalar(n, coefficients[i], out.kernelData(), out.kernelData());
                if (i > 0) backend.mul(n, out.kernelData(), in[0].kernelData(), out.kernelData());
            }
        }

        /** p'(x). */
        public Polynomial derivative() {
            double[] c = new double[Math.max(coefficients.length - 1, 0)];
            for (int i = 0; i < c.length; i++) c[i] = (i + 1) * coefficients[i + 1];
            return new Polynomial(c);
        }

        /** p(x) · q(x). */
        public Polynomial times(Polynomial q) {
            if (coefficients.length == 0 || q.coefficients.length == 0) return new Polynomial();
            double[] c = new double[coefficients.length + q.coefficients.length - 1];
            for (int i = 0; i < coefficients.length; i++) {
                for (int j = 0; j < q.coefficients.length; j++) c[i + j] += coefficients[i] * q.coefficients[j];
            }
            return new Polynomial(c);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Polynomial p && Arrays.equals(coefficients, p.coefficients);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(coefficients);
        }

        @Override
        public String toString() {
            return "Polynomial" + Arrays.toString(coefficients);
        }
    }

    // ---- broadcasts and reductions; each one's rule is its partner ----

    /** x + v, the 1×n row v added to every row of the m×n matrix x. */
    record AddRowVector() implements Primitive {
        @Override
        public Shape outputShape(Tensor[] in) {
            checkArity(this, in, 2);
            if (in[1].rows() != 1 || in[1].cols() != in[0].cols()) throw mismatch(this, in);
            return in[0].shape();
        }

        @Override
        public void compute(Backend backend, Tensor[] in, Tensor out) {
            backend.addRowVector(out.rows(), out.cols(), in[0].kernelData(), in[1].kernelData(), out.kernelData());
        }
    }

    /** The 1×n row v repeated as the {@code rows} rows of a rows×n matrix. */
    record BroadcastRows(int rows) implements Primitive {
        @Override
        public Shape outputShape(Tensor[] in) {
            checkArity(this, in, 1);
            if (in[0].rows() != 1) throw mismatch(this, in);
            return new Shape(rows, in[0].cols());
        }

        @Override
        public void compute(Backend backend, Tensor[] in, Tensor out) {
            backend.fill(out.size(), 0, out.kernelData());
            backend.addRowVector(out.rows(), out.cols(), out.kernelData(), in[0].kernelData(), out.kernelData());
        }
    }

    /** The 1×n row of column sums of an m×n matrix. */
    record ColumnSums() implements Primitive {
        @Override
        public Shape outputShape(Tensor[] in) {
            checkArity(this, in, 1);
            return new Shape(1, in[0].cols());
        }

        @Override
        public void compute(Backend backend, Tensor[] in, Tensor out) {
            backend.columnSums(in[0].rows(), in[0].cols(), in[0].kernelData(), out.kernelData());
        }
    }

    /** The m×1 column of row sums of an m×n matrix. */
    record RowSums() implements Primitive {
        @Override
        public Shape outputShape(Tensor[] in) {
            checkArity(this, in, 1);
            return new Shape(in[0].rows(), 1);
        }

        @Override
        public void compute(Backend backend, Tensor[] in, Tensor out) {
            backend.rowSums(in[0].rows(), in[0].cols(), in[0].kernelData(), out.kernelData());
        }
    }

    // ---- row blocks, and Taylor jets stacked as row blocks ----
    //
    // A jet along d directions (value, d tangents, the second derivative along the first) can be
    // stacked into one matrix of d + 2 row blocks, each with the value's shape. A layer then runs
    // as one GEMM over all blocks and one fused elementwise pass, instead of an op per component.

    /** The inputs (all with the same number of columns) one below the other. */
    record StackRows() implements Primitive {
        @Override
        public Shape outputShape(Tensor[] in) {
            if (in.length == 0) throw new IllegalArgumentException(this + " takes at least one input");
            long rows = 0;
            for (Tensor t : in) {
                if (t.cols() != in[0].cols()) throw mismatch(this, in);
                rows += t.rows();
            }
            if (rows > Integer.MAX_VALUE) throw mismatch(this, in);
            return new Shape((int) rows, in[0].cols());
        }

        @Override
        public void compute(Backend backend, Tensor[] in, Tensor out) {
            long offset = 0;
            for (Tensor t : in) {
                backend.copy(t.size(), t.kernelData(), out.kernelData().asSlice(offset, t.size() * 8L));
                offset += t.size() * 8L;
            }
        }
    }

    /**
     * Rows {@code from} to {@code from + rows} (exclusive) of a matrix. A {@link Tape} records it
     * as a view of its input's memory, without copying: tape tensors are never written once
     * computed, so the view always shows what the block held.
     */
    record RowBlock(int from, int rows) implements Primitive {
        @Override
        public Shape outputShape(Tensor[] in) {
            checkArity(this, in, 1);
            if (from < 0 || rows < 1 || (long) from + rows > in[0].rows()) throw mismatch(this, in);
            return new Shape(rows, in[0].cols());
        }

        /** Copies the block; a tape uses {@link #view} instead. */
        @Override
        public void compute(Backend backend, Tensor[] in, Tensor out) {
            backend.copy(out.size(), view(in[0]), out.kernelData());
        }

        /** The block's memory inside {@code x}'s, in x's scope. */
        MemorySegment view(Tensor x) {
            return x.checkedData().asSlice((long) from * x.cols() * 8, (long) rows * x.cols() * 8);
        }
    }

    /**
     * The affine layer on a jet stacked as {@code blocks} row blocks: x·W for every block, the
     * 1×n bias added to the first block (the value) only, since the derivatives of a constant are
     * zero. One GEMM over all blocks.
     */
    record JetLinear(int blocks) implements Primitive {
        public JetLinear {
            if (blocks < 1) throw new IllegalArgumentException("JetLinear needs at least one block, got " + blocks);
        }

        @Override
        public Shape outputShape(Tensor[] in) {
            checkArity(this, in, 3);
            Tensor x = in[0], w = in[1], b = in[2];
            if (x.rows() % blocks != 0 || x.cols() != w.rows() || b.rows() != 1 || b.cols() != w.cols()) throw mismatch(this, in);
            return new Shape(x.rows(), w.cols());
        }

        @Override
        public void compute(Backend backend, Tensor[] in, Tensor out) {
            int rows = out.rows(), valueRows = rows / blocks, n = out.cols(), k = in[0].cols();
            MemorySegment x = in[0].kernelData(), w = in[1].kernelData(), c = out.kernelData();
            long xSplit = (long) valueRows * k * 8, cSplit = (long) valueRows * n * 8;
            backend.gemmBias(valueRows, n, k, x, w, in[2].kernelData(), c);
            if (rows > valueRows) {
                backend.gemm(rows - valueRows, n, k, x.asSlice(xSplit), w, c.asSlice(cSplit), false);
            }
        }
    }

    /**
     * tanh on a jet along {@code directions} stacked as directions + 2 row blocks:
     * {@link Backend#tanhJet}, the chain rule for every component in one pass.
     */
    record TanhJet(int directions) implements Primitive {
        public TanhJet {
            if (directions < 1) throw new IllegalArgumentException("a jet needs at least one direction, got " + directions);
        }

        @Override
        public Shape outputShape(Tensor[] in) {
            checkArity(this, in, 1);
            if (in[0].rows() % (directions + 2) != 0) throw mismatch(this, in);
            return in[0].shape();
        }

        @Override
        public void compute(Backend backend, Tensor[] in, Tensor out) {
            backend.tanhJet(out.size() / (directions + 2), directions, in[0].kernelData(), out.kernelData());
        }
    }

    /**
     * The affine layer and tanh on a jet stacked as directions + 2 row blocks, fused:
     * tanhJet(x·W + b) with the bias into the value block only ({@link Backend#tanhJetLinear}).
     * The pre-activation is never stored: the rule needs only the output.
     */
    record TanhJetLinear(int directions) implements Primitive {
        public TanhJetLinear {
            if (directions < 1) throw new IllegalArgumentException("a jet needs at least one direction, got " + directions);
        }

        @Override
        public Shape outputShape(Tensor[] in) {
            checkArity(this, in, 3);
            Tensor x = in[0], w = in[1], b = in[2];
            if (x.rows() % (directions + 2) != 0 || x.cols() != w.rows() || b.rows() != 1 || b.cols() != w.cols()) {
                throw mismatch(this, in);
            }
            return new Shape(x.rows(), w.cols());
        }

        @Override
        public void compute(Backend backend, Tensor[] in, Tensor out) {
            backend.tanhJetLinear(out.rows() / (directions + 2), directions, in[0].cols(), out.cols(), in[0].kernelData(),
                    in[1].kernelData(), in[2].kernelData(), out.kernelData());
        }
    }

    /**
     * The vector-Jacobian product of {@link TanhJet} (and of {@link TanhJetLinear}'s tanh), fused,
     * from the output alone: inputs y = tanhJet(z) and a cotangent g of y, of one shape;
     * {@link Backend#tanhJetBackward}.
     */
    record TanhJetBackward(int directions) implements Primitive {
        public TanhJetBackward {
            if (directions < 1) throw new IllegalArgumentException("a jet needs at least one direction, got " + directions);
        }

        @Override
        public Shape outputShape(Tensor[] in) {
            checkArity(this, in, 2);
            if (!in[1].shape().equals(in[0].shape()) || in[0].rows() % (directions + 2) != 0) throw mismatch(this, in);
            return in[0].shape();
        }

        @Override
        public void compute(Backend backend, Tensor[] in, Tensor out) {
            backend.tanhJetBackward(out.size() / (directions + 2), directions, in[0].kernelData(), in[1].kernelData(),
                    out.kernelData());
        }
    }

    // ---- shape checks ----

    private static void checkArity(Primitive p, Tensor[] in, int expected) {
        if (in.length != expected) throw new IllegalArgumentException(p + " takes " + expected + " inputs, got " + in.length);
    }

    private static IllegalArgumentException mismatch(Primitive p, Tensor[] in) {
        StringBuilder shapes = new StringBuilder();
        for (Tensor t : in) shapes.append(shapes.isEmpty() ? "" : ", ").append(t.shape());
        return new IllegalArgumentException(p + " cannot take inputs of shapes " + shapes);
    }
}
