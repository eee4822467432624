package pinn.kernels;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of one {@link VectorBackend}: {@code threads − 1} daemon workers named
 * {@code pinn-cpu-N}, plus the calling thread, which always runs task 0 itself.
 *
 * <p>Work is split into fixed contiguous ranges that depend only on the length and the number
 * of tasks, never on timing, so results are reproducible. When the workers cannot be used (after
 * {@link #close()}, or for operands confined to the calling thread) the calling thread runs every
 * range itself, in order, over the same ranges: results stay bit-identical.
 */
final class WorkerPool implements AutoCloseable {

    /** Task number {@code task} (0-based) works on the index range [from, to). */
    @FunctionalInterface
    interface RangeTask {
        void run(int task, int from, int to);
    }

    private final int threads;
    private final ExecutorService workers; // null when threads == 1

    WorkerPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        this.threads = threads;
        if (threads == 1) {
            workers = null;
        } else {
            AtomicInteger index = new AtomicInteger();
            workers = Executors.newFixedThreadPool(threads - 1, runnable -> {
                Thread thread = new Thread(runnable, "pinn-cpu-" + index.getAndIncrement());
                thread.setDaemon(true);
                return thread;
            });
        }
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code task} over [0, length) cut into {@code tasks} contiguous ranges whose inner
     * boundaries are multiples of {@code align}; returns when all ranges are done. With
     * {@code callerOnly} (operands that other threads may not touch) the calling thread runs every
     * range itself, in order. The first exception thrown by a range is rethrown here, after every
     * range has finished.
     */
    void forRanges(int length, int tasks, int align, boolean callerOnly, RangeTask task) {
        if (tasks <= 1) {
            task.run(0, 0, length);
            return;
        }
        Future<?>[] pending = new Future<?>[tasks];
        for (int t = 1; t < tasks && !callerOnly; t++) {
            int number = t, from = boundary(length, tasks, align, t), to = boundary(length, tasks, align, t + 1);
            try {
                pending[t] = workers == null ? null : workers.submit(() -> task.run(number, from, to));
            } catch (RejectedExecutionException closed) {
                pending[t] = null; // closed meanwhile: run it here below
            }
        }
        Throwable failure = null;
        try {
            task.run(0, 0, boundary(length, tasks, align, 1));
        } catch (Throwable e) {
            failure = e;
        }
        boolean interrupted = false;
        for (int t = 1; t < tasks; t++) {
            try {
                if (pending[t] == null) {
                    task.run(t, boundary(length, tasks, align, t), boundary(length, tasks, align, t + 1));
                } else {
                    // Wait even when interrupted: the workers use the caller's memory.
                    while (true) {
                        try {
                            pending[t].get();
                            break;
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                }
            } catch (ExecutionException e) {
                if (failure == null) failure = e.getCause();
            } catch (Throwable e) {
                if (failure == null) failure = e;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (failure instanceof RuntimeException e) throw e;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new IllegalStateException(failure);
    }

    /** The start of range t of {@code tasks} over [0, length), rounded down to a multiple of align. */
    static int boundary(int length, int tasks, int align, int t) {
        if (t >= tasks) return length;
        long even = (long) length * t / tasks;
        return (int) (even - even % align);
    }

    /** Stops the workers and waits up to a second for running tasks; harmless when called twice. */
    @Override
    public void close() {
        if (workers == null || workers.isShutdown()) return;
        workers.shutdown();
        try {
            workers.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isClosed() {
        return workers != null && workers.isShutdown();
    }
}
