package pinn.runtime;

import java.util.ArrayList;
import java.util.List;
import pinn.autodiff.Jet;
import pinn.autodiff.Tape;
import pinn.autodiff.Tensor;

/**
 * A jet computed on the host, for quantities that depend only on the inputs and not on the
 * weights (network features, the output transform's known factors): value, first derivatives
 * along each direction, and the second derivative along the first. Row-major, {@code cols}
 * values per point.
 */
record HostJet(int rows, int cols, double[] value, double[][] tangents, double[] second) {

    static HostJet zeros(int rows, int cols, int directions) {
        return new HostJet(rows, cols, new double[rows * cols], new double[directions][rows * cols], new double[rows * cols]);
    }

    /** The same jet as leaf tensors on {@code tape}: constants, as far as reverse mode cares. */
    Jet toJet(Tape tape) {
        List<Tensor> tangentTensors = new ArrayList<>(tangents.length);
        for (double[] t : tangents) tangentTensors.add(tape.tensor(rows, cols, t));
        return new Jet(tape.tensor(rows, cols, value), tangentTensors, tape.tensor(rows, cols, second));
    }
}
