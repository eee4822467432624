package pinn.runtime.service;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Makes the server's threads and remembers them, so that {@link PricingServer#close()} can wait
 * until each has really ended (an executor's termination is signalled just before its threads
 * exit). Names: {@code pinn-http-io-P-N} for the event loops, {@code pinn-http-work-P-N} for the
 * work threads (P numbers the pool, N the thread); daemon threads, so that a server nobody closed
 * does not keep a JVM alive.
 * Netty's {@link DefaultThreadFactory} makes {@link io.netty.util.concurrent.FastThreadLocalThread}s,
 * which free their buffer caches as they end.
 */
final class ServerThreads {

    private final Queue<Thread> started = new ConcurrentLinkedQueue<>();

    /** Threads named {@code prefix-P-N}. */
    ThreadFactory factory(String prefix) {
        ThreadFactory named = new DefaultThreadFactory(prefix, true);
        return task -> {
            Thread thread = named.newThread(task);
            started.add(thread);
            return thread;
        };
    }

    /**
     * Waits until every thread made here has ended, or {@code deadlineNanos} has passed.
     *
     * @return whether all have ended
     */
    boolean join(long deadlineNanos) throws InterruptedException {
        for (Thread thread : started) {
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            if (thread.isAlive()) return false;
        }
        return true;
    }
}
