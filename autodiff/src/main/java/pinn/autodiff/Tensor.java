package pinn.autodiff;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import pinn.kernels.Backend;

/**
 * A matrix of float64 values in native memory, row-major, that lives exactly as long as the
 * {@link Arena} it was allocated from.
 *
 * <p>Tensors made by a {@link Tape} live in the tape's arena and die with it; parameters live in
 * a longer-lived arena owned by a model. Reading a tensor whose arena is closed throws an
 * {@link IllegalStateException} that names the tensor; reading one confined to another thread
 * throws a {@link WrongThreadException}. Neither ever touches freed memory.
 *
 * <p>A tensor a tape made also remembers how: the primitive and the input tensors (its
 * origin). That link is the whole recorded graph; a tape walks it backwards to
 * differentiate. Tape tensors are never written after they are computed, so a gradient may safely
 * share a tensor with the forward pass.
 */
public final class Tensor {

    /** How a tape computed a tensor: the {@code index}-th op recorded on {@code tape}. */
    record Origin(Tape tape, int index, Primitive primitive, Tensor[] inputs) {}

    private final Shape shape;
    /** The memory, scoped to its arena: reads through it fail cleanly once the arena closes. */
    final MemorySegment data;
    /**
     * The same memory without a scope, for kernels: handed out only after the scope was checked,
     * and only for the duration of a backend call on the owning thread (the call returns after its
     * worker threads finish), so it is never read after the memory is freed. It lets a
     * multi-threaded backend read a tape's thread-confined memory, and spares the kernels' inner
     * loops a scope check per vector load.
     */
    private final MemorySegment kernelView;
    /** Null for a leaf: a tensor no recorded op produced (parameters, inputs, constants). */
    final Origin origin;

    Tensor(Shape shape, MemorySegment data, Origin origin) {
        this.shape = shape;
        this.data = data;
        this.kernelView = MemorySegment.ofAddress(data.address()).reinterpret(data.byteSize());
        this.origin = origin;
    }

    /** A zeroed rows×cols leaf tensor allocated by {@code backend} from {@code arena}. */
    public static Tensor zeros(Backend backend, Arena arena, int rows, int cols) {
        Shape shape = new Shape(rows, cols);
        return new Tensor(shape, backend.allocate(arena, shape.size()), null);
    }

    /** A rows×cols leaf tensor holding {@code values} (row-major), allocated from {@code arena}. */
    public static Tensor of(Backend backend, Arena arena, int rows, int cols, double... values) {
        Tensor tensor = zeros(backend, arena, rows, cols);
        tensor.copyFrom(values);
        return tensor;
    }

    public Shape shape() {
        return shape;
    }

    public int rows() {
        return shape.rows();
    }

    public int cols() {
        return shape.cols();
    }

    /** The number of values, rows · cols. */
    public int size() {
        return shape.size();
    }

    /** Whether the tensor's arena is still open, i.e. whether it may be read. */
    public boolean isAlive() {
        return data.scope().isAlive();
    }

    /** The value at row {@code row}, column {@code col}. */
    public double get(int row, int col) {
        Objects.checkIndex(row, rows());
        Objects.checkIndex(col, cols());
        return checkedData().getAtIndex(JAVA_DOUBLE, (long) row * cols() + col);
    }

    /** The single value of a 1×1 tensor. */
    public double item() {
        if (!shape.isScalar()) throw new IllegalStateException("item() needs a 1×1 tensor, this is " + shape);
        return checkedData().getAtIndex(JAVA_DOUBLE, 0);
    }

    /** A copy of all values, row-major. */
    public double[] toArray() {
        double[] values = new double[size()];
        MemorySegment.copy(checkedData(), JAVA_DOUBLE, 0, values, 0, values.length);
        return values;
    }

    /**
     * Overwrites all values (row-major). Meant for parameters, which models load and optimisers
     * update in place; never write a tensor a tape has recorded, or its gradients go wrong.
     */
    public void copyFrom(double[] values) {
        if (values.length != size()) {
            throw new IllegalArgumentException("a " + shape + " tensor needs " + size() + " values, got " + values.length);
        }
        MemorySegment.copy(values, 0, checkedData(), JAVA_DOUBLE, 0, values.length);
    }

    /**
     * The native memory behind this tensor, for a backend call. Checks that it is still readable by
     * this thread, then returns an unscoped view: pass it to the backend at once and do not keep
     * it, since the view does not know when the tensor's arena closes. The same warning as for
     * {@link #copyFrom} applies to writing it.
     */
    public MemorySegment segment() {
        return kernelData();
    }

    /** The memory for a backend call: checked as {@link #checkedData()}, then unscoped (see {@code kernelView}). */
    MemorySegment kernelData() {
        checkedData();
        return kernelView;
    }

    /** The memory, after checking that this thread may read it: a clear error instead of garbage. */
    MemorySegment checkedData() {
        if (!data.scope().isAlive()) {
            throw new IllegalStateException("cannot use " + this + ": its scope is closed (the tape or model that owned it was closed)");
        }
        if (!data.isAccessibleBy(Thread.currentThread())) {
            throw new WrongThreadException("cannot use " + this + " from thread " + Thread.currentThread().getName()
                    + ": it belongs to a tape confined to another thread");
        }
        return data;
    }

    /** Shape and kind only: never reads the values, so it is safe on a closed tensor. */
    @Override
    public String toString() {
        String kind = origin == null ? "leaf" : origin.primitive().toString();
        return "Tensor " + shape + " (" + kind + (isAlive() ? "" : ", closed") + ")";
    }
}
