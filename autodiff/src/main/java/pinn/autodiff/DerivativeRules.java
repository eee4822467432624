package pinn.autodiff;

import java.util.ArrayList;
import java.util.List;
import pinn.autodiff.Primitive.*;

/**
 * How each {@link Primitive} is differentiated: its vector-Jacobian product, one case per
 * primitive.
 *
 * <p>Every rule is written with tape ops, never with a loop over floats. When the tape records
 * them (create graph), a gradient is itself a recorded function of the inputs and can be
 * differentiated again, to any order; when it does not, the same code simply computes.
 */
final class DerivativeRules {

    private DerivativeRules() {}

    /**
     * The cotangents of the inputs of one op (null for those not {@code needed}), given the
     * cotangent {@code g} of its output: {@link #vjp} for each needed input, except for
     * {@link TanhJetLinear}. That one pulls g back through its tanh once for all its inputs and
     * then applies {@link JetLinear}'s rule; for a gradient that is not recorded, it does all of
     * that in one fused backend pass ({@link Tape#tanhJetLinearBackward}), which never stores the
     * pulled-back cotangent. (That pass may add the weight gradient's terms in another order than
     * the recorded ops, so with create graph the first-order values can differ in the last bits.)
     */
    static Tensor[] vjps(Tape tape, Primitive primitive, Tensor[] in, Tensor out, Tensor g, boolean[] needed) {
        if (primitive instanceof TanhJetLinear(int directions)) {
            if (!tape.isRecording()) return tape.tanhJetLinearBackward(in[0], in[1], out, g, directions, needed[0]);
            g = tape.tanhJetBackward(out, g, directions);
        }
        Tensor[] cotangents = new Tensor[in.length];
        for (int k = 0; k < in.length; k++) if (needed[k]) cotangents[k] = vjp(tape, primitive, in, out, k, g);
        return cotangents;
    }

    /**
     * The cotangent of input {@code k}: gᵀ · ∂out/∂in[k], for the op that computed {@code out}
     * from {@code in}, given the cotangent {@code g} of {@code out} (same shape as {@code out});
     * for {@link TanhJetLinear}, g pulled back through its tanh (see {@link #vjps}).
     */
    static Tensor vjp(Tape tape, Primitive primitive, Tensor[] in, Tensor out, int k, Tensor g) {
        return switch (primitive) {
            // C = A·B: dA = G·Bᵀ, dB = Aᵀ·G; the transposed forms follow from the same identity.
            case MatMul m when m.transposeA() ->
                    k == 0 ? tape.matmulTransB(in[1], g) : tape.matmul(in[0], g);
            case MatMul m when m.transposeB() ->
                    k == 0 ? tape.matmul(g, in[1]) : tape.matmulTransA(g, in[0]);
            case MatMul _ -> k == 0 ? tape.matmulTransB(g, in[1]) : tape.matmulTransA(in[0], g);
            case Linear _ -> switch (k) {
                case 0 -> tape.matmulTransB(g, in[1]);
                case 1 -> tape.matmulTransA(in[0], g);
                default -> tape.columnSums(g);
            };
            case Add _ -> g;
            case Sub _ -> k == 0 ? g : tape.scale(g, -1);
            case Mul _ -> tape.mul(g, in[1 - k]);
            // y = a/b: dy/da = 1/b, dy/db = −y/b.
            case Div _ -> k == 0 ? tape.div(g, in[1]) : tape.scale(tape.div(tape.mul(g, out), in[1]), -1);
            case Scale(double factor) -> tape.scale(g, factor);
            case AddScalar _ -> g;
            case Square _ -> tape.scale(tape.mul(g, in[0]), 2);
            case Exp _ -> tape.mul(g, out);
            case Log _ -> tape.div(g, in[0]);
            // From the output t = tanh x, which the forward pass already holds: 1 − t².
            case Tanh _ -> tape.mul(g, tape.tanhDerivative(1, out));
            // The input is t; p_k(t) differentiates to p_k'(t), and the chain to x runs through t's own node.
            case TanhDerivative(int order) -> tape.mul(g, tape.polynomial(in[0], TanhDerivative.polynomial(order).derivative()));
            case Polynomial p -> tape.mul(g, tape.polynomial(in[0], p.derivative()));
            case AddRowVector _ -> k == 0 ? g : tape.columnSums(g);
            case BroadcastRows _ -> tape.columnSums(g);
            case ColumnSums _ -> tape.broadcastRows(g, in[0].rows());
            case RowSums _ -> tape.broadcastColumns(g, in[0].cols());
            case StackRows _ -> {
                int from = 0;
                for (int i = 0; i < k; i++) from += in[i].rows();
                yield tape.rowBlock(g, from, in[k].rows());
            }
            // The block's cotangent in place, zeros around it.
            case RowBlock(int from, int rows) -> {
                int after = in[0].rows() - from - rows;
                List<Tensor> parts = new ArrayList<>(3);
                if (from > 0) parts.add(tape.zeros(from, g.cols()));
                parts.add(g);
                if (after > 0) parts.add(tape.zeros(after, g.cols()));
                yield tape.stackRows(parts.toArray(Tensor[]::new));
            }
            case JetLinear(int blocks) -> switch (k) {
                case 0 -> tape.matmulTransB(g, in[1]);
                case 1 -> tape.matmulTransA(in[0], g);
                default -> tape.columnSums(tape.rowBlock(g, 0, g.rows() / blocks));
            };
            case TanhJet(int directions) -> tape.tanhJetBackward(out, g, directions);
            // g arrives pulled back through the tanh (see vjps): what remains is JetLinear's rule.
            case TanhJetLinear(int directions) -> switch (k) {
                case 0 -> tape.matmulTransB(g, in[1]);
                case 1 -> tape.matmulTransA(in[0], g);
                default -> tape.columnSums(tape.rowBlock(g, 0, g.rows() / (directions + 2)));
            };
            // The fused backward is differentiated as the composite of elementary ops it computes,
            // through the composite's own ops only (a partial derivative: the paths through the
            // other inputs are the tape's business). Slower, but only gradients of gradients of
            // jets need it, and their rules are elementary ops again, to any order.
            case TanhJetBackward(int directions) -> {
                int firstOp = tape.size();
                Tensor composite = tape.recordingAlways(() -> tanhJetBackwardComposite(tape, directions, in[0], in[1]));
                yield tape.grad(composite, g, List.of(in[k]), tape.isRecording(), firstOp).getFirst();
            }
        };
    }

    /**
     * What {@link TanhJetBackward} computes (see {@link pinn.kernels.Backend#tanhJetBackward}),
     * written with elementary tape ops on the row blocks of y and g, in the same order.
     */
    static Tensor tanhJetBackwardComposite(Tape tape, int directions, Tensor y, Tensor g) {
        int n = y.rows() / (directions + 2), second = directions + 1;
        Tensor t = tape.rowBlock(y, 0, n);
        Tensor d1 = tape.tanhDerivative(1, t), u = tape.scale(t, -2);
        Tensor y1 = tape.rowBlock(y, n, n), yc = tape.rowBlock(y, second * n, n);
        Tensor gc = tape.rowBlock(g, second * n, n);
        Tensor[] blocks = new Tensor[directions + 2];
        Tensor sum = tape.mul(tape.rowBlock(g, 0, n), d1);
        for (int i = 1; i <= directions; i++) {
            Tensor gi = tape.rowBlock(g, i * n, n);
            sum = tape.add(sum, tape.mul(tape.mul(gi, tape.rowBlock(y, i * n, n)), u));
            blocks[i] = tape.mul(gi, d1);
        }
        blocks[0] = tape.add(sum, tape.mul(gc, tape.sub(tape.mul(yc, u), tape.scale(tape.square(y1), 2))));
        blocks[1] = tape.add(blocks[1], tape.scale(tape.mul(tape.mul(gc, y1), u), 2));
        blocks[second] = tape.mul(gc, d1);
        return tape.stackRows(blocks);
    }
}
