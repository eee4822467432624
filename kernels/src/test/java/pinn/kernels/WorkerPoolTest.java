package pinn.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * The pool's contract: every range runs exactly once, over the boundaries that depend only on the
 * length and the number of ranges, whichever thread takes it; ranges beyond the thread count are
 * taken by whichever thread is free (a held-back thread does not hold the call up for more than
 * its own range); a failure is rethrown after every range has run; a closed pool runs everything
 * on the caller.
 */
class WorkerPoolTest {

    @Test
    void everyRangeRunsOnceOverFixedBoundaries() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int repeat = 0; repeat < 200; repeat++) {
                int length = 1000 + repeat, tasks = 1 + repeat % 12;
                AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
                AtomicIntegerArray covered = new AtomicIntegerArray(length);
                pool.forRanges(length, tasks, 8, false, (t, from, to) -> {
                    runs.incrementAndGet(t);
                    assertEquals(WorkerPool.boundary(length, tasks, 8, t), from);
                    assertEquals(WorkerPool.boundary(length, tasks, 8, t + 1), to);
                    for (int i = from; i < to; i++) covered.incrementAndGet(i);
                });
                for (int t = 0; t < tasks; t++) assertEquals(1, runs.get(t), "range " + t);
                for (int i = 0; i < length; i++) assertEquals(1, covered.get(i), "index " + i);
            }
        }
    }

    @Test
    void theOtherThreadsTakeTheRangesOfOneThatIsHeldBack() {
        try (WorkerPool pool = new WorkerPool(2)) {
            Set<String> threadsOfTheRest = ConcurrentHashMap.newKeySet();
            String[] slowThread = new String[1];
            pool.forRanges(800, 8, 1, false, (t, from, to) -> {
                if (t == 0) {
                    slowThread[0] = Thread.currentThread().getName();
                    sleep(200); // far longer than the other seven ranges together
                } else {
                    threadsOfTheRest.add(Thread.currentThread().getName());
                }
            });
            assertTrue(!threadsOfTheRest.contains(slowThread[0]),
                    "the held-back thread " + slowThread[0] + " ran other ranges too: " + threadsOfTheRest);
        }
    }

    @Test
    void aFailureIsRethrownAfterEveryRangeHasRun() {
        try (WorkerPool pool = new WorkerPool(2)) {
            AtomicIntegerArray runs = new AtomicIntegerArray(6);
            IllegalStateException failure = new IllegalStateException("range 2 failed");
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () ->
                    pool.forRanges(600, 6, 1, false, (t, from, to) -> {
                        runs.incrementAndGet(t);
                        if (t == 2) throw failure;
                    }));
            assertSame(failure, thrown);
            for (int t = 0; t < 6; t++) assertEquals(1, runs.get(t), "range " + t);
            // and the pool still works
            AtomicIntegerArray again = new AtomicIntegerArray(4);
            pool.forRanges(400, 4, 1, false, (t, from, to) -> again.incrementAndGet(t));
            for (int t = 0; t < 4; t++) assertEquals(1, again.get(t));
        }
    }

    @Test
    void aClosedPoolRunsEveryRangeOnTheCaller() {
        WorkerPool pool = new WorkerPool(2);
        pool.close();
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        pool.forRanges(400, 4, 1, false, (t, from, to) -> threads.add(Thread.currentThread()));
        assertEquals(Set.of(Thread.currentThread()), threads);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
