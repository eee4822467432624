package pinn.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import pinn.kernels.Backend;
import pinn.kernels.NativeMemory;
import pinn.kernels.ReferenceBackend;

/** Lifetimes, threads and misuse: every error is a clear exception, and nothing leaks. */
class ScopeTest {

    private static final Backend BACKEND = new ReferenceBackend();

    @Test
    void tenThousandTapesGiveBackEveryByte() {
        long before = NativeMemory.bytesHeld();
        for (int i = 0; i < 10_000; i++) {
            try (Tape tape = new Tape(BACKEND)) {
                Tensor x = tape.tensor(4, 4, new double[16]);
                Tensor w = tape.full(4, 4, 0.1 * (i % 7));
                Tensor loss = tape.mean(tape.square(tape.tanh(tape.matmul(x, w))));
                tape.grad(tape.sum(tape.grad(loss, List.of(w), true).getFirst()), List.of(x));
                assertTrue(NativeMemory.bytesHeld() > before, "a live tape holds counted memory");
            }
        }
        assertEquals(before, NativeMemory.bytesHeld());
    }

    @Test
    void readingATensorAfterItsTapeClosedFailsCleanly() {
        Tensor escaped;
        try (Tape tape = new Tape(BACKEND)) {
            escaped = tape.tanh(tape.full(3, 5, 1));
        }
        for (Runnable read : List.<Runnable>of(() -> escaped.get(0, 0), escaped::toArray, escaped::segment)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, read::run);
            assertTrue(e.getMessage().contains("3×5") && e.getMessage().contains("scope is closed"), e.getMessage());
        }
        try (Tape other = new Tape(BACKEND)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.exp(escaped));
            assertTrue(e.getMessage().contains("3×5"), e.getMessage());
        }
    }

    @Test
    void aClosedTapeRefusesOps() {
        Tape tape = new Tape(BACKEND);
        tape.close();
        tape.close(); // harmless
        assertThrows(IllegalStateException.class, () -> tape.zeros(1, 1));
        assertThrows(IllegalStateException.class, () -> tape.full(2, 2, 1));
    }

    @Test
    void anotherThreadCannotUseATapeOrReadItsTensors() {
        try (Tape tape = new Tape(BACKEND)) {
            Tensor x = tape.full(2, 2, 0.5);
            assertThrows(WrongThreadException.class, () -> onAnotherThread(() -> tape.tanh(x)));
            assertThrows(WrongThreadException.class, () -> onAnotherThread(x::toArray));
            assertThrows(WrongThreadException.class, () -> onAnotherThread(() -> { tape.close(); return null; }));
            assertEquals(Math.tanh(0.5), tape.tanh(x).get(1, 1), 0); // still usable by its owner
        }
    }

    @Test
    void parametersInASharedArenaOutliveTapesAndAnyThreadReadsThem() {
        long before = NativeMemory.bytesHeld();
        try (Arena model = NativeMemory.sharedArena()) {
            Tensor w = Tensor.of(BACKEND, model, 2, 2, 1, 2, 3, 4);
            for (int i = 0; i < 3; i++) {
                try (Tape tape = new Tape(BACKEND)) {
                    Tensor g = tape.grad(tape.sum(tape.square(w)), List.of(w)).getFirst();
                    assertArrayEquals(new double[] {2, 4, 6, 8}, g.toArray());
                }
            }
            assertArrayEquals(new double[] {1, 2, 3, 4}, onAnotherThread(w::toArray));
        }
        assertEquals(before, NativeMemory.bytesHeld());
    }

    @Test
    void gradientsOfInputsTheOutputIgnoresAreZeros() {
        try (Tape tape = new Tape(BACKEND)) {
            Tensor used = tape.tensor(1, 2, 1, 2), unused = tape.tensor(2, 3, new double[6]);
            List<Tensor> g = tape.grad(tape.sum(tape.square(used)), List.of(used, unused));
            assertArrayEquals(new double[] {2, 4}, g.get(0).toArray());
            assertEquals(new Shape(2, 3), g.get(1).shape());
            assertArrayEquals(new double[6], g.get(1).toArray());
        }
    }

    @Test
    void gradientsWithRespectToIntermediatesStopThere() {
        try (Tape tape = new Tape(BACKEND)) {
            Tensor x = tape.tensor(1, 1, 0.3);
            Tensor y = tape.scale(x, 3);
            Tensor z = tape.square(y); // dz/dy = 2y = 1.8, dz/dx = 5.4
            List<Tensor> g = tape.grad(z, List.of(y, x));
            assertEquals(1.8, g.get(0).item(), 1e-15);
            assertEquals(5.4, g.get(1).item(), 1e-15);
        }
    }

    @Test
    void misuseIsReportedWithShapes() {
        try (Tape tape = new Tape(BACKEND)) {
            Tensor a = tape.zeros(2, 3), b = tape.zeros(3, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tape.add(a, b));
            assertTrue(e.getMessage().contains("2×3") && e.getMessage().contains("3×2"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> tape.matmul(a, a));
            assertThrows(IllegalArgumentException.class, () -> tape.grad(a, List.of(a)));
            assertThrows(IllegalArgumentException.class, () -> tape.tensor(2, 2, 1, 2, 3));
            assertThrows(IllegalStateException.class, a::item);
            assertThrows(IllegalArgumentException.class, () -> new Shape(0, 3));
        }
    }

    @Test
    void readingHelpersGiveRowMajorValues() {
        try (Tape tape = new Tape(BACKEND)) {
            Tensor t = tape.tensor(2, 3, 1, 2, 3, 4, 5, 6);
            assertEquals(6, t.get(1, 2));
            assertEquals(4, t.get(1, 0));
            assertArrayEquals(new double[] {5, 7, 9}, tape.columnSums(t).toArray());
            assertArrayEquals(new double[] {6, 15}, tape.rowSums(t).toArray());
            assertEquals(21, tape.sum(t).item());
            assertEquals(3.5, tape.mean(t).item());
            assertArrayEquals(new double[] {2, 3, 5, 6}, tape.sliceColumns(t, 1, 3).toArray());
            assertArrayEquals(new double[] {2, 1, 5, 4}, tape.concatColumns(tape.sliceColumns(t, 1, 2), tape.sliceColumns(t, 0, 1)).toArray());
            assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0));
        }
    }

    private static <T> T onAnotherThread(Supplier<T> action) {
        try {
            return CompletableFuture.supplyAsync(action, Thread::startVirtualThread).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }
}
