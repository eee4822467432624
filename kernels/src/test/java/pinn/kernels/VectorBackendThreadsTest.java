package pinn.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static pinn.kernels.TestData.get;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Threads: large problems are split and still agree with the reference; results are
 * bit-identical from run to run for a given thread count; the pool's threads are daemons named
 * {@code pinn-cpu-N} and stop on close; a closed backend keeps working on the calling thread with
 * the same bits.
 */
class VectorBackendThreadsTest {

    private static final ReferenceBackend REFERENCE = new ReferenceBackend();
    private static final int N = 70_000;

    /** Runs all three GEMM forms and the column sums at the PINN shapes with N rows; returns C of each. */
    private static double[][] pinnShapes(Backend backend, Arena arena) {
        MemorySegment x = TestData.random(arena, (long) N * 64, 1);   // N × 64 activations
        MemorySegment w = TestData.random(arena, 64 * 64, 2);         // 64 × 64 weights
        MemorySegment g = TestData.random(arena, (long) N * 64, 3);   // N × 64 output gradients
        MemorySegment forward = arena.allocate((long) N * 64 * 8, 64);
        MemorySegment weightGradient = arena.allocate(64 * 64 * 8, 64);
        MemorySegment inputGradient = arena.allocate((long) N * 64 * 8, 64);
        MemorySegment biasGradient = arena.allocate(64 * 8, 64);
        backend.gemm(N, 64, 64, x, w, forward, false);                 // X·W
        backend.gemmTransA(64, 64, N, x, g, weightGradient, false);    // Xᵀ·G, reduction over N
        backend.gemmTransB(N, 64, 64, g, w, inputGradient, false);     // G·Wᵀ
        backend.columnSums(N, 64, g, biasGradient);
        return new double[][] {
            forward.toArray(JAVA_DOUBLE), weightGradient.toArray(JAVA_DOUBLE),
            inputGradient.toArray(JAVA_DOUBLE), biasGradient.toArray(JAVA_DOUBLE)};
    }

    @Test
    void largeProblemsSplitOverTwoThreadsAgreeWithTheReference() {
        try (VectorBackend backend = new VectorBackend(2); Arena arena = Arena.ofShared()) {
            double[][] actual = pinnShapes(backend, arena);
            double[][] expected = pinnShapes(REFERENCE, arena);
            // Entries of X·W and G·Wᵀ sum 64 products of magnitude ≤ 1; entries of Xᵀ·G and the
            // column sums sum N of them: the bound on |A|·|B| is 64 and N respectively.
            assertWithin(expected[0], actual[0], 1e-13 * 64, "X·W");
            assertWithin(expected[1], actual[1], 1e-13 * N, "Xᵀ·G");
            assertWithin(expected[2], actual[2], 1e-13 * 64, "G·Wᵀ");
            assertWithin(expected[3], actual[3], 1e-13 * N, "column sums");
        }
    }

    private static void assertWithin(double[] expected, double[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, what + " element " + i);
        }
    }

    @Test
    void resultsAreBitIdenticalFromRunToRunForAGivenThreadCount() {
        try (VectorBackend backend = new VectorBackend(2); Arena arena = Arena.ofShared()) {
            double[][] first = pinnShapes(backend, arena);
            for (int run = 0; run < 3; run++) {
                double[][] again = pinnShapes(backend, arena);
                for (int i = 0; i < first.length; i++) assertArrayEquals(first[i], again[i], "run " + run + " result " + i);
            }
        }
    }

    @Test
    void theWorkersAreDaemonsNamedPinnCpuAndStopOnClose() throws Exception {
        List<Thread> before = pinnThreads();
        VectorBackend backend = new VectorBackend(3);
        try (Arena arena = Arena.ofShared()) {
            pinnShapes(backend, arena); // big enough to start the workers
        }
        List<Thread> workers = pinnThreads();
        workers.removeAll(before);
        assertFalse(workers.isEmpty(), "no pinn-cpu threads after a large call");
        assertEquals(2, workers.size(), "3 threads = the caller + 2 workers: " + workers);
        assertTrue(workers.stream().allMatch(Thread::isDaemon), "workers must be daemon threads");
        backend.close();
        for (Thread worker : workers) worker.join(2000);
        assertTrue(workers.stream().noneMatch(Thread::isAlive), "workers still alive after close");
        backend.close(); // closing twice is harmless
    }

    private static List<Thread> pinnThreads() {
        List<Thread> threads = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("pinn-cpu-")) threads.add(t);
        }
        return threads;
    }

    @Test
    void aClosedBackendStillWorksOnTheCallingThreadWithTheSameBits() {
        try (Arena arena = Arena.ofShared()) {
            VectorBackend backend = new VectorBackend(2);
            double[][] open = pinnShapes(backend, arena);
            backend.close();
            double[][] closed = pinnShapes(backend, arena);
            for (int i = 0; i < open.length; i++) assertArrayEquals(open[i], closed[i], "result " + i);
        }
    }

    @Test
    void operandsOfAConfinedArenaStayOnTheCallingThreadWithTheSameBits() {
        try (VectorBackend backend = new VectorBackend(2)) {
            double[][] shared, confined;
            try (Arena arena = Arena.ofShared()) {
                shared = pinnShapes(backend, arena);
            }
            try (Arena arena = Arena.ofConfined()) {
                confined = pinnShapes(backend, arena); // would throw WrongThreadException if split to a worker
            }
            for (int i = 0; i < shared.length; i++) assertArrayEquals(shared[i], confined[i], "result " + i);
        }
    }

    @Test
    void severalCallersCanShareOneBackend() throws Exception {
        int m = 3000;
        try (VectorBackend backend = new VectorBackend(2); Arena arena = Arena.ofShared()) {
            MemorySegment a = TestData.random(arena, (long) m * 64, 4), b = TestData.random(arena, 64 * 64, 5);
            MemorySegment expected = arena.allocate((long) m * 64 * 8, 64);
            REFERENCE.gemmTransB(m, 64, 64, a, b, expected, false);
            ExecutorService callers = Executors.newFixedThreadPool(4);
            try {
                List<Future<MemorySegment>> results = new ArrayList<>();
                for (int caller = 0; caller < 4; caller++) {
                    results.add(callers.submit(() -> {
                        MemorySegment c = arena.allocate((long) m * 64 * 8, 64);
                        for (int repeat = 0; repeat < 20; repeat++) backend.gemmTransB(m, 64, 64, a, b, c, false);
                        return c;
                    }));
                }
                for (Future<MemorySegment> result : results) {
                    MemorySegment c = result.get();
                    for (long i = 0; i < (long) m * 64; i++) assertEquals(get(expected, i), get(c, i), 1e-13 * 64);
                }
            } finally {
                callers.shutdown();
            }
        }
    }
}
