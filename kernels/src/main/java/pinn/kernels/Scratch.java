package pinn.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread scratch memory for packed operands, padded panels and partial sums, so that hot calls
 * allocate nothing. Each purpose has its own buffer because one call may hold several at once.
 * Native (the kernels then see one kind of segment only), from automatic arenas (so worker threads
 * may use a caller's buffers), grown on demand to the largest size asked for, and freed by the
 * garbage collector once its thread is gone. It is not counted by {@link NativeMemory}: it is
 * bounded by the largest operand a thread has used, and it is not tied to any arena the caller
 * closes.
 *
 * <p>Other threads may read and write a thread's scratch while that thread waits for them (the
 * parallel parts of one call); nothing else may hold on to it.
 */
final class Scratch {

    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    private MemorySegment packed = MemorySegment.NULL;
    private MemorySegment partials = MemorySegment.NULL;
    private MemorySegment panel = MemorySegment.NULL;
    private MemorySegment panelOut = MemorySegment.NULL;
    private MemorySegment jetChunk = MemorySegment.NULL;

    private Scratch() {}

    /** The calling thread's scratch. */
    static Scratch local() {
        return LOCAL.get();
    }

    /** Room for at least {@code doubles} values of a packed operand (contents undefined). */
    MemorySegment packed(long doubles) {
        packed = atLeast(packed, doubles);
        return packed;
    }

    /** Room for at least {@code doubles} values of partial results (contents undefined). */
    MemorySegment partials(long doubles) {
        partials = atLeast(partials, doubles);
        return partials;
    }

    /** Room for at least {@code doubles} values of a zero-padded input panel (a GEMM's last columns, a last partial vector). */
    MemorySegment panel(long doubles) {
        panel = atLeast(panel, doubles);
        return panel;
    }

    /** Room for at least {@code doubles} values of the output that goes with {@link #panel}. */
    MemorySegment panelOut(long doubles) {
        panelOut = atLeast(panelOut, doubles);
        return panelOut;
    }

    /** Room for at least {@code doubles} values of a chunk of a jet's pre-activations ({@link JetKernels#tanhJetLinear}). */
    MemorySegment jetChunk(long doubles) {
        jetChunk = atLeast(jetChunk, doubles);
        return jetChunk;
    }

    private static MemorySegment atLeast(MemorySegment current, long doubles) {
        long bytes = doubles * Double.BYTES;
        if (current.byteSize() >= bytes) return current;
        // Grow geometrically so that a thread settles after a few calls.
        return Arena.ofAuto().allocate(Math.max(bytes, 2 * current.byteSize()), 64);
    }
}
