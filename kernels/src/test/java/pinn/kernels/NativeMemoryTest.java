package pinn.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * {@link NativeMemory}'s counted arenas: what they allocate is counted while they are open and
 * given back when they close; a second close or a close from the wrong thread fails and leaves
 * the count alone.
 *
 * <p>The counter is global and other tests may allocate at the same time only if they run in
 * parallel, which this module does not do.
 */
class NativeMemoryTest {

    @Test
    void aConfinedArenaReturnsTheCountToWhereItStarted() {
        long start = NativeMemory.bytesHeld();
        try (Arena arena = NativeMemory.confinedArena()) {
            arena.allocate(1000);
            arena.allocate(24, 64);
            assertEquals(start + 1024, NativeMemory.bytesHeld());
        }
        assertEquals(start, NativeMemory.bytesHeld());
    }

    @Test
    void aSharedArenaReturnsTheCountToWhereItStarted() throws Exception {
        long start = NativeMemory.bytesHeld();
        Arena arena = NativeMemory.sharedArena();
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            other.submit(() -> arena.allocate(4096)).get(); // any thread may allocate from it
            arena.allocate(4096);
            assertEquals(start + 8192, NativeMemory.bytesHeld());
        } finally {
            other.shutdown();
        }
        arena.close();
        assertEquals(start, NativeMemory.bytesHeld());
    }

    @Test
    void closingTwiceFailsAndDoesNotCountTwice() {
        long start = NativeMemory.bytesHeld();
        Arena arena = NativeMemory.confinedArena();
        arena.allocate(512);
        arena.close();
        assertThrows(IllegalStateException.class, arena::close);
        assertEquals(start, NativeMemory.bytesHeld());
    }

    @Test
    void closingAConfinedArenaFromAnotherThreadFailsAndKeepsItsMemoryCounted() throws Exception {
        long start = NativeMemory.bytesHeld();
        Arena arena = NativeMemory.confinedArena();
        arena.allocate(256);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<?> close = other.submit(arena::close);
            Exception failure = assertThrows(Exception.class, close::get);
            assertEquals(WrongThreadException.class, failure.getCause().getClass());
            assertEquals(start + 256, NativeMemory.bytesHeld(), "nothing was freed, so nothing is uncounted");
        } finally {
            other.shutdown();
        }
        arena.close();
        assertEquals(start, NativeMemory.bytesHeld());
    }

    @Test
    void allocatingFromAnotherThreadOfAConfinedArenaFails() throws Exception {
        long start = NativeMemory.bytesHeld();
        try (Arena arena = NativeMemory.confinedArena()) {
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                Future<?> allocate = other.submit(() -> arena.allocate(64));
                Exception failure = assertThrows(Exception.class, allocate::get);
                assertEquals(WrongThreadException.class, failure.getCause().getClass());
            } finally {
                other.shutdown();
            }
            assertEquals(start, NativeMemory.bytesHeld());
        }
    }
}
