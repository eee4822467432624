package pinn.autodiff;

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
     * The cotangent of input {@code k}: gᵀ · ∂out/∂in[k], for the op that computed {@code out}
     * from {@code in}, given the cotangent {@code g} of {@code out} (same shape as {@code out}).
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
        };
    }
}
