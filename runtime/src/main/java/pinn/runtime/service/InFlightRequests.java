package pinn.runtime.service;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests in flight across all connections, from a request's head being read to its answer
 * having been written: what {@link PricingServer#close()} waits for before closing connections.
 */
final class InFlightRequests {

    private final AtomicInteger count = new AtomicInteger();

    void begin() {
        count.incrementAndGet();
    }

    void end(int requests) {
        if (requests > 0) count.addAndGet(-requests);
    }

    int count() {
        return count.get();
    }

    /**
     * Waits until no request is in flight or {@code deadlineNanos} ({@link System#nanoTime()}) has
     * passed. Polled rather than signalled: the hot path only counts, and a drain is rare enough
     * that a 1 ms poll costs nothing worth a lock.
     *
     * @return whether none is in flight
     */
    boolean awaitNone(long deadlineNanos) throws InterruptedException {
        while (count.get() > 0) {
            if (System.nanoTime() - deadlineNanos >= 0) return false;
            TimeUnit.MILLISECONDS.sleep(1);
        }
        return true;
    }
}
