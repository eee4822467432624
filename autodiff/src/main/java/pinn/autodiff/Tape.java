package pinn.autodiff;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import pinn.autodiff.Primitive.*;
import pinn.kernels.Backend;
import pinn.kernels.NativeMemory;

/**
 * A reverse-mode tape: computes ops, records them, and differentiates what it recorded.
 *
 * <p>Every tensor the tape makes lives in the tape's scope (a counted confined arena), so closing
 * the tape (use try-with-resources) frees them all at once; a tape is used by the thread that
 * opened it. Steps that repeat should borrow memory from a {@link Workspace}. Any tensor can be
 * differentiated against: a parameter, an input, or an intermediate.
 *
 * <pre>{@code
 * try (Tape tape = new Tape(backend)) {
 *     Tensor y = tape.tanh(tape.linear(x, w, b));
 *     Tensor loss = tape.mean(tape.square(y));
 *     List<Tensor> dw = tape.grad(loss, List.of(w));            // first order
 *     List<Tensor> g = tape.grad(loss, List.of(x), true);       // recorded: differentiable again
 *     Tensor d2 = tape.grad(tape.sum(g.getFirst()), List.of(w)).getFirst();
 * }
 * }</pre>
 */
public final class Tape implements AutoCloseable {

    private final Backend backend;
    /** The tape's scope: tensors die with it, whether their memory is its own or a workspace's. */
    private final Arena arena;
    private final Workspace workspace;
    private final Thread owner = Thread.currentThread();
    /** The outputs of the recorded ops, in the order they ran: a topological order of the graph. */
    private final List<Tensor> recorded = new ArrayList<>();
    /** Off while a gradient is computed without create graph: the rules then just compute. */
    private boolean recording = true;

    /** A tape whose ops run on {@code backend}, with memory of its own, usable by the calling thread only. */
    public Tape(Backend backend) {
        this(backend, null);
    }

    /**
     * A tape whose tensors borrow memory from {@code workspace} (null: memory of its own), which
     * it gives back when it closes: the way to run many steps without fresh allocations.
     */
    public Tape(Backend backend, Workspace workspace) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.workspace = workspace;
        if (workspace != null) workspace.attach(this);
        this.arena = NativeMemory.confinedArena(); // after attach, which may refuse: nothing to undo
    }

    public Backend backend() {
        return backend;
    }

    /** The number of ops recorded so far. */
    public int size() {
        return recorded.size();
    }

    /** Frees every tensor this tape made. Tensors read afterwards throw {@link IllegalStateException}. */
    @Override
    public void close() {
        checkThread();
        if (!arena.scope().isAlive()) return;
        recorded.clear();
        arena.close();
        if (workspace != null) workspace.detach(this);
    }

    // ---- leaves: tensors that no op made; gradients may still be taken with respect to them ----

    /** A rows×cols tensor holding {@code values}, row-major. */
    public Tensor tensor(int rows, int cols, double... values) {
        Shape shape = new Shape(rows, cols);
        if (values.length != shape.size()) {
            throw new IllegalArgumentException("a " + shape + " tensor needs " + shape.size() + " values, got " + values.length);
        }
        Tensor t = new Tensor(shape, allocate(shape), null);
        t.copyFrom(values);
        return t;
    }

    /** A rows×cols tensor with every value {@code value}. */
    public Tensor full(int rows, int cols, double value) {
        Shape shape = new Shape(rows, cols);
        Tensor t = new Tensor(shape, allocate(shape), null);
        backend.fill(t.size(), value, t.kernelData());
        return t;
    }

    /** A rows×cols tensor of zeros. */
    public Tensor zeros(int rows, int cols) {
        return full(rows, cols, 0);
    }

    // ---- matrix products ----

    /** a · b. */
    public Tensor matmul(Tensor a, Tensor b) {
        return apply(new MatMul(false, false), a, b);
    }

    /** aᵀ · b. */
    public Tensor matmulTransA(Tensor a, Tensor b) {
        return apply(new MatMul(true, false), a, b);
    }

    /** a · bᵀ. */
    public Tensor matmulTransB(Tensor a, Tensor b) {
        return apply(new MatMul(false, true), a, b);
    }

    /** x · w + b: an m×k batch through a k×n weight matrix, plus the 1×n bias on every row. */
    public Tensor linear(Tensor x, Tensor w, Tensor b) {
        return apply(new Linear(), x, w, b);
    }

    // ---- elementwise (binary ones need equal shapes) ----

    public Tensor add(Tensor a, Tensor b) {
        return apply(new Add(), a, b);
    }

    public Tensor sub(Tensor a, Tensor b) {
        return apply(new Sub(), a, b);
    }

    public Tensor mul(Tensor a, Tensor b) {
        return apply(new Mul(), a, b);
    }

    public Tensor div(Tensor a, Tensor b) {
        return apply(new Div(), a, b);
    }

    /** c · x. */
    public Tensor scale(Tensor x, double c) {
        return apply(new Scale(c), x);
    }

    /** −x. */
    public Tensor neg(Tensor x) {
        return scale(x, -1);
    }

    /** x + c. */
    public Tensor addScalar(Tensor x, double c) {
        return apply(new AddScalar(c), x);
    }

    public Tensor square(Tensor x) {
        return apply(new Square(), x);
    }

    public Tensor exp(Tensor x) {
        return apply(new Exp(), x);
    }

    public Tensor log(Tensor x) {
        return apply(new Log(), x);
    }

    public Tensor tanh(Tensor x) {
        return apply(new Tanh(), x);
    }

    /**
     * The {@code order}-th derivative of tanh, from t = tanh(x) (pass t, not x). Orders 1 to 3 use
     * the backend's kernel; higher orders evaluate the polynomial.
     */
    public Tensor tanhDerivative(int order, Tensor t) {
        if (order > 3) return polynomial(t, TanhDerivative.polynomial(order));
        return apply(new TanhDerivative(order), t);
    }

    /** p(x), value by value. */
    public Tensor polynomial(Tensor x, Polynomial p) {
        return apply(p, x);
    }

    // ---- broadcasts, reductions, columns ----

    /** x + v, with the 1×n row v added to every row of x. */
    public Tensor addRowVector(Tensor x, Tensor v) {
        return apply(new AddRowVector(), x, v);
    }

    /** The 1×n row v repeated {@code rows} times. */
    public Tensor broadcastRows(Tensor v, int rows) {
        return apply(new BroadcastRows(rows), v);
    }

    /**
     * The m×1 column v repeated {@code cols} times. It is v times a 1×cols row of ones, so its
     * rule (row sums) falls out of {@link MatMul}'s.
     */
    public Tensor broadcastColumns(Tensor v, int cols) {
        return cols == 1 && v.cols() == 1 ? v : matmul(v, full(1, cols, 1));
    }

    /** The 1×n row of the sums of each column. */
    public Tensor columnSums(Tensor x) {
        return apply(new ColumnSums(), x);
    }

    /** The m×1 column of the sums of each row. */
    public Tensor rowSums(Tensor x) {
        return apply(new RowSums(), x);
    }

    /** The 1×1 sum of all values. */
    public Tensor sum(Tensor x) {
        Tensor columns = x.rows() == 1 ? x : columnSums(x);
        return columns.cols() == 1 ? columns : rowSums(columns);
    }

    /** The 1×1 mean of all values. */
    public Tensor mean(Tensor x) {
        return scale(sum(x), 1.0 / x.size());
    }

    /**
     * Columns {@code from} (inclusive) to {@code to} (exclusive) of x: x times a 0/1 selection
     * matrix, so its rule comes from {@link MatMul}'s. Meant for narrow inputs (features, outputs).
     */
    public Tensor sliceColumns(Tensor x, int from, int to) {
        Objects.checkFromToIndex(from, to, x.cols());
        if (from == 0 && to == x.cols()) return x;
        double[] select = new double[x.cols() * (to - from)];
        for (int j = from; j < to; j++) select[j * (to - from) + (j - from)] = 1;
        return matmul(x, tensor(x.cols(), to - from, select));
    }

    /** The columns of the parts side by side (all with the same rows), as a sum of placed parts. */
    public Tensor concatColumns(Tensor... parts) {
        int total = 0;
        for (Tensor p : parts) total += p.cols();
        Tensor result = null;
        int offset = 0;
        for (Tensor p : parts) {
            double[] place = new double[p.cols() * total];
            for (int j = 0; j < p.cols(); j++) place[j * total + offset + j] = 1;
            Tensor placed = matmul(p, tensor(p.cols(), total, place));
            result = result == null ? placed : add(result, placed);
            offset += p.cols();
        }
        return result;
    }

    // ---- row blocks, and Taylor jets stacked as row blocks (see Jet#stack) ----

    /** The parts (all with the same columns) one below the other. */
    public Tensor stackRows(Tensor... parts) {
        return parts.length == 1 ? parts[0] : apply(new StackRows(), parts);
    }

    /**
     * Rows {@code from} to {@code from + rows} (exclusive) of x, as a view: no copy. The view
     * lives in x's memory, so it stays readable exactly as long as x.
     */
    public Tensor rowBlock(Tensor x, int from, int rows) {
        return from == 0 && rows == x.rows() ? x : apply(new RowBlock(from, rows), x);
    }

    /**
     * x · W + b on a jet stacked as {@code blocks} row blocks: every block through W, the bias
     * into the first block (the value) only. One GEMM for the whole jet.
     */
    public Tensor jetLinear(Tensor x, Tensor w, Tensor b, int blocks) {
        return apply(new JetLinear(blocks), x, w, b);
    }

    /** tanh on a jet along {@code directions} stacked as directions + 2 row blocks, in one fused pass. */
    public Tensor tanhJet(Tensor z, int directions) {
        return apply(new TanhJet(directions), z);
    }

    /**
     * tanh(x · W + b) on a jet along {@code directions} stacked as directions + 2 row blocks, the
     * bias into the value block only: {@link #jetLinear} then {@link #tanhJet} in one fused op
     * that never stores the pre-activation. A hidden layer of a network carried on a jet.
     */
    public Tensor tanhJetLinear(Tensor x, Tensor w, Tensor b, int directions) {
        return apply(new TanhJetLinear(directions), x, w, b);
    }

    /**
     * The cotangents of x, W and b of {@link #tanhJetLinear} (output y, cotangent g of y) by one
     * fused backend pass ({@link Backend#tanhJetLinearBackward}); x's only if {@code withX}, else
     * null. For gradients that are not recorded only: the three results are computed here, not
     * by {@link #apply}, and are leaves (constants) of this tape.
     */
    Tensor[] tanhJetLinearBackward(Tensor x, Tensor w, Tensor y, Tensor g, int directions, boolean withX) {
        checkUsable();
        if (recording) throw new IllegalStateException("the fused backward is for gradients that are not recorded");
        for (Tensor t : new Tensor[] {x, w, y, g}) t.checkedData();
        Tensor dx = withX ? new Tensor(x.shape(), allocate(x.shape()), null) : null;
        Tensor dw = new Tensor(w.shape(), allocate(w.shape()), null);
        Tensor db = new Tensor(new Shape(1, w.cols()), allocate(new Shape(1, w.cols())), null);
        backend.tanhJetLinearBackward(y.rows() / (directions + 2), directions, w.rows(), w.cols(), x.kernelData(),
                w.kernelData(), y.kernelData(), g.kernelData(), dx == null ? null : dx.kernelData(), dw.kernelData(),
                db.kernelData());
        return new Tensor[] {dx, dw, db};
    }

    /** The vector-Jacobian product of {@link #tanhJet}, from its result y and the cotangent g of y. */
    Tensor tanhJetBackward(Tensor y, Tensor g, int directions) {
        return apply(new TanhJetBackward(directions), y, g);
    }

    // ---- reverse mode ----

    /** Gradients of the 1×1 {@code output} with respect to {@code inputs}, not differentiable further. */
    public List<Tensor> grad(Tensor output, List<Tensor> inputs) {
        return grad(output, null, inputs, false);
    }

    /**
     * Gradients of the 1×1 {@code output} with respect to {@code inputs}. With
     * {@code createGraph} the backward ops are recorded, so the gradients can be differentiated
     * again (PyTorch's create_graph, JAX's grad of grad).
     */
    public List<Tensor> grad(Tensor output, List<Tensor> inputs, boolean createGraph) {
        return grad(output, null, inputs, createGraph);
    }

    /**
     * The vector-Jacobian products seedᵀ · ∂output/∂input for each input: the gradients of
     * Σ seed ∘ output. {@code seed} has the output's shape; null means 1 for a 1×1 output.
     *
     * <p>Only ops that lie on a path from an input to the output are differentiated. An input the
     * output does not depend on gets zeros. Gradients computed without create graph are
     * constants: differentiating them again gives zeros.
     */
    public List<Tensor> grad(Tensor output, Tensor seed, List<Tensor> inputs, boolean createGraph) {
        return grad(output, seed, inputs, createGraph, 0);
    }

    /**
     * As {@link #grad(Tensor, Tensor, List, boolean)}, through the ops recorded from index
     * {@code firstOp} on only: everything recorded before counts as a constant. For a rule that
     * differentiates a composite it has just recorded (from {@code firstOp}): the gradient with
     * respect to one input of the primitive is then its partial derivative, not also the paths
     * through the primitive's other inputs, which the tape's own walk already covers.
     */
    List<Tensor> grad(Tensor output, Tensor seed, List<Tensor> inputs, boolean createGraph, int firstOp) {
        checkUsable();
        if (seed == null) {
            if (!output.shape().isScalar()) {
                throw new IllegalArgumentException("grad of a " + output.shape() + " output needs a seed of that shape");
            }
            seed = full(1, 1, 1);
        } else if (!seed.shape().equals(output.shape())) {
            throw new IllegalArgumentException("seed " + seed.shape() + " must have the output's shape " + output.shape());
        }
        Set<Tensor> wanted = Collections.newSetFromMap(new IdentityHashMap<>());
        wanted.addAll(inputs);
        int last = isRecordedHere(output) ? output.origin.index() : -1;

        // Forward over the recorded ops: which ones depend on a wanted input? Others are pruned.
        boolean[] dependsOnInputs = new boolean[last + 1];
        for (int i = firstOp; i <= last; i++) {
            Tensor node = recorded.get(i);
            dependsOnInputs[i] = wanted.contains(node);
            for (Tensor in : node.origin.inputs()) dependsOnInputs[i] |= dependsOnInputs(in, wanted, dependsOnInputs);
        }

        // Backward from the output: each op hands its output's cotangent on to its inputs.
        Map<Tensor, Tensor> cotangents = new IdentityHashMap<>();
        cotangents.put(output, seed);
        boolean wasRecording = recording;
        recording = createGraph;
        try {
            for (int i = last; i >= firstOp; i--) {
                Tensor node = recorded.get(i);
                Tensor g = cotangents.get(node);
                if (g == null || !dependsOnInputs[i]) continue;
                Tensor.Origin origin = node.origin;
                Tensor[] opInputs = origin.inputs();
                boolean[] needed = new boolean[opInputs.length];
                for (int k = 0; k < opInputs.length; k++) needed[k] = dependsOnInputs(opInputs[k], wanted, dependsOnInputs);
                Tensor[] contributions = DerivativeRules.vjps(this, origin.primitive(), opInputs, node, g, needed);
                for (int k = 0; k < opInputs.length; k++) {
                    if (needed[k]) cotangents.merge(opInputs[k], contributions[k], this::add);
                }
            }
            List<Tensor> gradients = new ArrayList<>(inputs.size());
            for (Tensor in : inputs) {
                Tensor g = cotangents.get(in);
                gradients.add(g != null ? g : zeros(in.rows(), in.cols()));
            }
            return gradients;
        } finally {
            recording = wasRecording;
        }
    }

    private boolean dependsOnInputs(Tensor t, Set<Tensor> wanted, boolean[] dependsOnInputs) {
        return wanted.contains(t) || (isRecordedHere(t) && t.origin.index() < dependsOnInputs.length && dependsOnInputs[t.origin.index()]);
    }

    private boolean isRecordedHere(Tensor t) {
        return t.origin != null && t.origin.tape() == this;
    }

    // ---- the one place where ops run ----

    /**
     * Checks the inputs, computes {@code primitive} into a fresh tensor and, if recording, records
     * it. A {@link RowBlock} is a view of its input's memory instead, nothing computed. (The one
     * other place that computes is {@link #tanhJetLinearBackward}, a fused backward pass with
     * three results, used only while nothing is recorded.)
     */
    Tensor apply(Primitive primitive, Tensor... inputs) {
        checkUsable();
        for (Tensor in : inputs) in.checkedData();
        Shape shape = primitive.outputShape(inputs);
        Tensor.Origin origin = recording ? new Tensor.Origin(this, recorded.size(), primitive, inputs) : null;
        Tensor out;
        if (primitive instanceof RowBlock block) {
            out = new Tensor(shape, block.view(inputs[0]), origin);
        } else {
            out = new Tensor(shape, allocate(shape), origin);
            primitive.compute(backend, inputs, out);
        }
        if (recording) recorded.add(out);
        return out;
    }

    /** Whether ops are being recorded now (false while a gradient is computed without create graph). */
    boolean isRecording() {
        return recording;
    }

    /**
     * Runs {@code ops} with recording on, whatever the current mode: for a rule that
     * differentiates a composite of recorded ops (see {@link DerivativeRules}).
     */
    <T> T recordingAlways(Supplier<T> ops) {
        boolean wasRecording = recording;
        recording = true;
        try {
            return ops.get();
        } finally {
            recording = wasRecording;
        }
    }

    /**
     * Memory for one tensor, in this tape's scope. Workspace memory is reused, not zeroed: every
     * primitive overwrites its whole output.
     */
    private MemorySegment allocate(Shape shape) {
        checkUsable();
        if (workspace == null) return backend.allocate(arena, shape.size());
        return workspace.take(this, shape.size()).reinterpret(arena, null);
    }

    private void checkUsable() {
        checkThread();
        if (!arena.scope().isAlive()) throw new IllegalStateException("this tape is closed; open a new one");
    }

    private void checkThread() {
        if (Thread.currentThread() != owner) {
            throw new WrongThreadException("a tape is confined to the thread that opened it (" + owner.getName()
                    + "), but was used from " + Thread.currentThread().getName());
        }
    }
}
