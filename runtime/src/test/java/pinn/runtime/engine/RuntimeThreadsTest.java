package pinn.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.Test;

class RuntimeThreadsTest {

    @Test
    void joinWaitsForEveryThreadAndNamesTheOnesStillRunning() throws Exception {
        RuntimeThreads threads = new RuntimeThreads("pinn-test-");
        ExecutorService single = threads.singleThread("single");
        single.submit(() -> { }).get();
        single.shutdown();
        CountDownLatch release = new CountDownLatch(1);
        Thread held = threads.track(new Thread(() -> awaitQuietly(release), "pinn-test-held"));
        held.start();

        assertEquals(List.of("pinn-test-held"), threads.join(System.nanoTime() + 1_000_000_000L),
                "the executor's thread has ended, the held one has not");
        release.countDown();
        assertEquals(List.of(), threads.join(System.nanoTime() + 10_000_000_000L));
        assertTrue(!held.isAlive());
    }

    @Test
    void endedThreadsAreForgotten() throws Exception {
        RuntimeThreads threads = new RuntimeThreads("pinn-test-");
        for (int i = 0; i < 100; i++) {
            Thread shortLived = threads.track(new Thread(() -> { }, "pinn-test-" + i));
            shortLived.start();
            shortLived.join();
        }
        Thread notStarted = threads.track(new Thread(() -> { }, "pinn-test-new"));
        assertEquals(1, threads.remembered(), "the 100 ended threads are forgotten, the one not yet started is kept");
        notStarted.start();
        assertEquals(List.of(), threads.join(System.nanoTime() + 10_000_000_000L));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
