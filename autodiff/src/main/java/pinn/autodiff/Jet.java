package pinn.autodiff;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/**
 * A truncated Taylor expansion carried forward through a computation (forward mode): a value, its
 * first derivatives along a few input directions, and its second derivative along the first of
 * them.
 *
 * <p>For a curve x(s) through the inputs with x(0) = x, x'(0) = d₀ (and x''(0) given), a jet of
 * f holds f(x), the directional derivatives f'·dᵢ for every direction dᵢ, and d²f/ds² along d₀.
 * Directions are per point: every component is a tensor of the value's shape, so a tangent like
 * dx/dS may differ from row to row.
 *
 * <p>Every component is computed with tape ops, so reverse mode can then differentiate the jet
 * with respect to the weights: reverse over forward, how a PDE residual's weight gradient is
 * computed (the guide's "forward-over-reverse").
 *
 * <p>Rules: for z = x·W + b, z' = x'·W and z'' = x''·W; for y = f(z) elementwise,
 * y' = f'(z)·z' and y'' = f'(z)·z'' + f''(z)·(z')².
 *
 * <p>The methods here apply the rules component by component, an op per component and
 * elementary function. For a network, {@link #stack} puts the components into one matrix of row
 * blocks, on which a layer is a single GEMM and a single fused pass of the chain rule
 * ({@link Tape#tanhJetLinear}, {@link Tape#jetLinear}); {@link #unstack} takes them apart again.
 *
 * @param value the value f(x)
 * @param tangents first derivatives along each direction dᵢ, each of the value's shape
 * @param second the second derivative along d₀, of the value's shape
 */
public record Jet(Tensor value, List<Tensor> tangents, Tensor second) {

    public Jet {
        tangents = List.copyOf(tangents);
        if (tangents.isEmpty()) throw new IllegalArgumentException("a jet needs at least one direction");
        for (Tensor t : tangents) requireShape(value, t, "tangent");
        requireShape(value, second, "second derivative");
    }

    /** The number of directions. */
    public int directions() {
        return tangents.size();
    }

    /** The first derivative along direction {@code i}. */
    public Tensor tangent(int i) {
        return tangents.get(i);
    }

    // ---- linear maps: every component goes through the same map, the bias only into the value ----

    /** x · W + b. */
    public Jet linear(Tape tape, Tensor weights, Tensor bias) {
        return new Jet(tape.linear(value, weights, bias), map(tangents, t -> tape.matmul(t, weights)), tape.matmul(second, weights));
    }

    /** x · W. */
    public Jet matmul(Tape tape, Tensor weights) {
        return new Jet(tape.matmul(value, weights), map(tangents, t -> tape.matmul(t, weights)), tape.matmul(second, weights));
    }

    /** c · x. */
    public Jet scale(Tape tape, double c) {
        return new Jet(tape.scale(value, c), map(tangents, t -> tape.scale(t, c)), tape.scale(second, c));
    }

    /** x + c: only the value moves. */
    public Jet addScalar(Tape tape, double c) {
        return new Jet(tape.addScalar(value, c), tangents, second);
    }

    /** x + y. */
    public Jet add(Tape tape, Jet y) {
        return new Jet(tape.add(value, y.value), zip(tangents, y.tangents, tape::add), tape.add(second, y.second));
    }

    /** x − y. */
    public Jet sub(Tape tape, Jet y) {
        return new Jet(tape.sub(value, y.value), zip(tangents, y.tangents, tape::sub), tape.sub(second, y.second));
    }

    /** x ∘ c, for a tensor c that does not depend on the inputs (a constant along every direction). */
    public Jet mul(Tape tape, Tensor c) {
        return new Jet(tape.mul(value, c), map(tangents, t -> tape.mul(t, c)), tape.mul(second, c));
    }

    /** x ∘ y, by the product rule: (xy)' = x'y + xy', (xy)'' = x''y + 2x'y' + xy''. */
    public Jet mul(Tape tape, Jet y) {
        List<Tensor> t = zip(tangents, y.tangents, (a, b) -> tape.add(tape.mul(a, y.value), tape.mul(value, b)));
        Tensor cross = tape.scale(tape.mul(tangents.getFirst(), y.tangents.getFirst()), 2);
        Tensor s = tape.add(tape.add(tape.mul(second, y.value), cross), tape.mul(value, y.second));
        return new Jet(tape.mul(value, y.value), t, s);
    }

    // ---- elementwise functions: the chain rule with f'(z) and f''(z) ----

    /** tanh x, with f' and f'' from the kernel's tanh derivatives of the output. */
    public Jet tanh(Tape tape) {
        Tensor y = tape.tanh(value);
        return chain(tape, y, tape.tanhDerivative(1, y), tape.tanhDerivative(2, y));
    }

    /** eˣ, which is its own f' and f''. */
    public Jet exp(Tape tape) {
        Tensor y = tape.exp(value);
        return chain(tape, y, y, y);
    }

    /** x², with f' = 2x and f'' = 2. */
    public Jet square(Tape tape) {
        return chain(tape, tape.square(value), tape.scale(value, 2), tape.full(value.rows(), value.cols(), 2));
    }

    /**
     * f(x) for an elementwise f, given y = f(x), f'(x) and f''(x) as tensors:
     * y' = f'·x' and y'' = f'·x'' + f''·(x'₀)².
     */
    public Jet chain(Tape tape, Tensor y, Tensor d1, Tensor d2) {
        Tensor s = tape.add(tape.mul(d1, second), tape.mul(d2, tape.square(tangents.getFirst())));
        return new Jet(y, map(tangents, t -> tape.mul(d1, t)), s);
    }

    // ---- stacked: the components as row blocks of one matrix ----

    /**
     * The components one below the other, value first, then the tangents in order, then the
     * second derivative: a (directions + 2)·rows × cols matrix on which a layer is one
     * {@link Tape#jetLinear} and one {@link Tape#tanhJet}.
     */
    public Tensor stack(Tape tape) {
        Tensor[] parts = new Tensor[tangents.size() + 2];
        parts[0] = value;
        for (int i = 0; i < tangents.size(); i++) parts[i + 1] = tangents.get(i);
        parts[parts.length - 1] = second;
        return tape.stackRows(parts);
    }

    /** The jet along {@code directions} that {@link #stack} stacked into {@code stacked}, its components as views. */
    public static Jet unstack(Tape tape, Tensor stacked, int directions) {
        int blocks = directions + 2;
        if (directions < 1 || stacked.rows() % blocks != 0) {
            throw new IllegalArgumentException("a " + stacked.shape() + " matrix does not hold a jet along " + directions + " directions");
        }
        int n = stacked.rows() / blocks;
        List<Tensor> tangents = new ArrayList<>(directions);
        for (int i = 1; i <= directions; i++) tangents.add(tape.rowBlock(stacked, i * n, n));
        return new Jet(tape.rowBlock(stacked, 0, n), tangents, tape.rowBlock(stacked, (blocks - 1) * n, n));
    }

    private static List<Tensor> map(List<Tensor> xs, UnaryOperator<Tensor> f) {
        List<Tensor> out = new ArrayList<>(xs.size());
        for (Tensor x : xs) out.add(f.apply(x));
        return out;
    }

    private static List<Tensor> zip(List<Tensor> xs, List<Tensor> ys, BinaryOperator<Tensor> f) {
        if (xs.size() != ys.size()) throw new IllegalArgumentException("jets along " + xs.size() + " and " + ys.size() + " directions");
        List<Tensor> out = new ArrayList<>(xs.size());
        for (int i = 0; i < xs.size(); i++) out.add(f.apply(xs.get(i), ys.get(i)));
        return out;
    }

    private static void requireShape(Tensor value, Tensor component, String what) {
        if (!component.shape().equals(value.shape())) {
            throw new IllegalArgumentException("a jet's " + what + " must have the value's shape " + value.shape() + ", was " + component.shape());
        }
    }
}
