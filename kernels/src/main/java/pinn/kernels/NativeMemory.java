package pinn.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The native memory this library holds: bytes allocated from its arenas and not yet freed.
 *
 * <p>Every arena the library uses comes from {@link #confinedArena()} or {@link #sharedArena()},
 * which count what they allocate and give it back to the counter when they close. Tests use the
 * counter to prove that scopes leak nothing; the service exports it as a gauge.
 */
public final class NativeMemory {

    private static final AtomicLong BYTES_HELD = new AtomicLong();

    private NativeMemory() {}

    /** Bytes allocated by this library's arenas that are not yet freed. */
    public static long bytesHeld() {
        return BYTES_HELD.get();
    }

    /** A counted arena usable by one thread; cheap to open and close (scratch, tapes). */
    public static Arena confinedArena() {
        return new CountedArena(Arena.ofConfined());
    }

    /** A counted arena usable by any thread; closing it is costly (model parameters). */
    public static Arena sharedArena() {
        return new CountedArena(Arena.ofShared());
    }

    /** An arena that adds what it allocates to the counter and subtracts it all when closed. */
    private static final class CountedArena implements Arena {
        private final Arena delegate;
        private final AtomicLong allocated = new AtomicLong();

        CountedArena(Arena delegate) {
            this.delegate = delegate;
        }

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            MemorySegment segment = delegate.allocate(byteSize, byteAlignment);
            allocated.addAndGet(byteSize);
            BYTES_HELD.addAndGet(byteSize);
            return segment;
        }

        @Override
        public MemorySegment.Scope scope() {
            return delegate.scope();
        }

        @Override
        public void close() {
            delegate.close(); // throws if already closed or on the wrong thread: then nothing was freed
            BYTES_HELD.addAndGet(-allocated.getAndSet(0));
        }
    }
}
