package pinn.autodiff;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import pinn.kernels.Backend;
import pinn.kernels.NativeMemory;

/**
 * Native memory that a sequence of tapes on one thread reuses, so that a training loop or a
 * pricing thread does not map and zero fresh pages for every step.
 *
 * <p>Fresh native memory is costly: new pages fault and are zeroed. A training step at 4096 points
 * holds about 320 MB of intermediates; on the development machine its loss gradient took about
 * 190 ms with fresh memory and 54 ms with a workspace ({@code JetsVsNestedBenchmark},
 * {@code reuseMemory}). A workspace hands each tape slices of slabs it keeps; when the tape
 * closes, the slices are free for the next tape. After a step that needed several slabs,
 * they are replaced by one slab of the size that step used, so the steady state is a single slab
 * as large as the largest tape, allocated once.
 *
 * <p>Safety is unchanged: each slice is tied to its tape's scope, so a tensor read after its tape
 * closed still throws rather than reading another tape's values. One tape at a time may use a
 * workspace; both are confined to the thread that opened the workspace. Closing the workspace
 * frees the slabs (and is refused while a tape uses it).
 *
 * <pre>{@code
 * try (Workspace workspace = new Workspace(backend)) {
 *     for (int step = 0; step < steps; step++) {
 *         try (Tape tape = new Tape(backend, workspace)) { ... }
 *     }
 * }
 * }</pre>
 */
public final class Workspace implements AutoCloseable {

    private static final long ALIGNMENT = 64;
    private static final long MIN_SLAB_BYTES = 1 << 20;

    private final Backend backend;
    private final Thread owner = Thread.currentThread();
    private final List<Arena> slabArenas = new ArrayList<>();
    private final List<MemorySegment> slabs = new ArrayList<>();
    private boolean closed;
    private Tape user;
    /** Bump pointer: the slab being filled and the first free byte in it. */
    private int slab;
    private long offset;
    /** Bytes handed to the current tape, including what was skipped at slab ends. */
    private long used;

    /** A workspace whose slabs {@code backend} allocates, confined to the calling thread. */
    public Workspace(Backend backend) {
        this.backend = backend;
    }

    /** The bytes this workspace holds now. */
    public long bytesReserved() {
        long total = 0;
        for (MemorySegment s : slabs) total += s.byteSize();
        return total;
    }

    /** Frees the slabs. Refused while a tape uses the workspace; closing twice is harmless. */
    @Override
    public void close() {
        checkThread();
        if (user != null) throw new IllegalStateException("close the tape that uses this workspace first");
        closed = true;
        freeSlabs();
    }

    // ---- for Tape ----

    void attach(Tape tape) {
        checkThread();
        if (closed) throw new IllegalStateException("this workspace is closed");
        if (user != null) throw new IllegalStateException("a workspace serves one tape at a time; close the other tape first");
        user = tape;
        slab = 0;
        offset = 0;
        used = 0;
    }

    /** When the tape closes: if it needed several slabs, keep one that fits it all next time. */
    void detach(Tape tape) {
        if (user != tape) return;
        user = null;
        if (slabs.size() > 1) {
            freeSlabs();
            addSlab(used);
        }
    }

    /** {@code elements} float64 values for {@code tape}, not zeroed: the ops overwrite them. */
    MemorySegment take(Tape tape, long elements) {
        if (user != tape) throw new IllegalStateException("this workspace serves another tape");
        long bytes = (elements * Double.BYTES + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        while (slab < slabs.size() && offset + bytes > slabs.get(slab).byteSize()) {
            used += slabs.get(slab).byteSize() - offset;
            slab++;
            offset = 0;
        }
        if (slab == slabs.size()) addSlab(Math.max(bytes, Math.max(MIN_SLAB_BYTES, bytesReserved())));
        MemorySegment slice = slabs.get(slab).asSlice(offset, bytes);
        offset += bytes;
        used += bytes;
        return slice;
    }

    private void addSlab(long bytes) {
        Arena arena = NativeMemory.confinedArena();
        slabArenas.add(arena);
        slabs.add(backend.allocate(arena, bytes / Double.BYTES));
    }

    private void freeSlabs() {
        for (Arena arena : slabArenas) arena.close();
        slabArenas.clear();
        slabs.clear();
    }

    private void checkThread() {
        if (Thread.currentThread() != owner) {
            throw new WrongThreadException("a workspace is confined to the thread that opened it (" + owner.getName()
                    + "), but was used from " + Thread.currentThread().getName());
        }
    }
}
