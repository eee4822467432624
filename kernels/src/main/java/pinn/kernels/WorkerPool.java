package pinn.kernels;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads of one {@link VectorBackend}: {@code threads − 1} daemon workers named
 * {@code pinn-cpu-N}, plus the calling thread, which works too.
 *
 * <p>Work is split into fixed contiguous ranges that depend only on the length and the number
 * of ranges, never on timing, and range t writes the same outputs whichever thread runs it, so
 * results are reproducible. The threads take the ranges one at a time from a shared counter:
 * callers ask for a few ranges per thread, so that when the operating system holds one thread
 * back (a machine shared with other work), the others take its share instead of waiting for it.
 * When the workers cannot be used (after {@link #close()}, for operands confined to the calling
 * thread, or while another thread's call has them) the calling thread runs every range itself, in
 * order, over the same ranges: results stay bit-identical.
 *
 * <h2>Hand-off</h2>
 * A training step makes dozens of split calls a few microseconds apart, so each hand-off must
 * cost far less than the work: a thread-pool queue with a futex wake-up per task cost about
 * 14 µs a call here, as long as an elementwise pass over 2 MB. Instead each worker has a
 * one-job mailbox (a sequence number) and spins on it for {@value #SPIN_NANOS} ns after each
 * job before it parks; the caller likewise spins on the workers' completion numbers before it
 * parks. Between the calls of a step the workers are still spinning, and a hand-off costs about
 * a microsecond; an idle backend parks its workers (no CPU use). One caller at a time has the
 * workers (a lock, tried, never waited for).
 */
final class WorkerPool implements AutoCloseable {

    /** How long a worker waits for its next job, and a caller for a worker, spinning before parking. */
    static final long SPIN_NANOS = 20_000;

    /** Task number {@code task} (0-based) works on the index range [from, to). */
    @FunctionalInterface
    interface RangeTask {
        void run(int task, int from, int to);
    }

    private final int threads;
    private final Worker[] workers;
    /** Held by the one caller whose call the workers are running. */
    private final ReentrantLock lock = new ReentrantLock();
    /** The call in progress (reused: one caller at a time, under the lock). */
    private final Job job = new Job();
    private volatile boolean closed;
    private boolean started;

    WorkerPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        this.threads = threads;
        this.workers = new Worker[threads - 1];
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code task} over [0, length) cut into {@code tasks} contiguous ranges whose inner
     * boundaries are multiples of {@code align}; returns when all ranges are done. Range t always
     * covers the same indices, whichever thread runs it: the threads (the caller among them) take
     * the ranges one at a time, in order, from a shared counter, so a thread that the operating
     * system holds back only delays the range it is in, and the others take the rest. With
     * {@code callerOnly} (operands that other threads may not touch) the calling thread runs every
     * range itself, in order. An exception thrown by a range is rethrown here, after every range
     * has finished.
     */
    void forRanges(int length, int tasks, int align, boolean callerOnly, RangeTask task) {
        if (tasks <= 1) {
            task.run(0, 0, length);
            return;
        }
        if (callerOnly || closed || threads == 1 || !lock.tryLock()) {
            runHere(length, tasks, align, task);
            return;
        }
        try {
            if (closed) {
                runHere(length, tasks, align, task);
                return;
            }
            startWorkers();
            job.reset(length, tasks, align, task);
            int helpers = Math.min(workers.length, tasks - 1);
            for (int i = 0; i < helpers; i++) workers[i].post(job);
            job.runRanges();
            // Wait for every worker even after a failure: they use the caller's memory.
            for (int i = 0; i < helpers; i++) workers[i].awaitDone();
            rethrow(job.failure);
        } finally {
            job.task = null;
            lock.unlock();
        }
    }

    /** The call the workers are running: its ranges, taken in order from a shared counter. */
    private static final class Job {
        private final AtomicInteger next = new AtomicInteger();
        private volatile Throwable failure;
        private int length, tasks, align;
        private RangeTask task;

        void reset(int length, int tasks, int align, RangeTask task) {
            this.length = length;
            this.tasks = tasks;
            this.align = align;
            this.task = task;
            failure = null;
            next.set(0); // volatile write: publishes the fields above to the workers that read next
        }

        /** Takes and runs ranges until none is left. */
        void runRanges() {
            for (int t = next.getAndIncrement(); t < tasks; t = next.getAndIncrement()) {
                try {
                    task.run(t, boundary(length, tasks, align, t), boundary(length, tasks, align, t + 1));
                } catch (Throwable e) {
                    if (failure == null) failure = e;
                }
            }
        }
    }

    /** Every range on the calling thread, in order. */
    private static void runHere(int length, int tasks, int align, RangeTask task) {
        Throwable failure = null;
        for (int t = 0; t < tasks; t++) {
            try {
                task.run(t, boundary(length, tasks, align, t), boundary(length, tasks, align, t + 1));
            } catch (Throwable e) {
                if (failure == null) failure = e;
            }
        }
        rethrow(failure);
    }

    private static void rethrow(Throwable failure) {
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

    /** Under the lock: the workers start with the first split call. */
    private void startWorkers() {
        if (started) return;
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker("pinn-cpu-" + i);
            workers[i].start();
        }
        started = true;
    }

    /** Stops the workers, after any call in progress, waiting up to a second; harmless when called twice. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        lock.lock(); // a call in progress finishes first
        try {
            if (!started) return;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            for (Worker worker : workers) LockSupport.unpark(worker);
            for (Worker worker : workers) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                try {
                    worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** A worker thread with a one-job mailbox. */
    private final class Worker extends Thread {
        /** Sequence numbers of the last job posted and the last job done. */
        private volatile long posted, done;
        /** Set while the worker is parked, so that a poster knows to unpark it. */
        private volatile boolean parked;
        /** The caller parked waiting for this worker, if any. */
        private volatile Thread waiter;
        /** The job: written by the poster before its volatile write of posted, read after it. */
        private Job job;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        /** Caller side, under the pool's lock. */
        void post(Job posting) {
            job = posting;
            posted = posted + 1;
            if (parked) LockSupport.unpark(this);
        }

        /** Caller side: waits until the worker is done with the posted job. */
        void awaitDone() {
            long target = posted;
            if (done != target) {
                long start = System.nanoTime();
                boolean interrupted = false;
                while (done != target) {
                    if (System.nanoTime() - start < SPIN_NANOS) {
                        Thread.onSpinWait();
                        continue;
                    }
                    waiter = Thread.currentThread();
                    if (done != target) LockSupport.parkNanos(this, 1_000_000);
                    waiter = null;
                    if (Thread.interrupted()) interrupted = true;
                }
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long start = System.nanoTime();
                while (posted == seen) {
                    if (closed) return;
                    if (System.nanoTime() - start < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (posted == seen && !closed) LockSupport.park(this);
                        parked = false;
                        Thread.interrupted(); // nothing interrupts a worker on purpose; never spin on a stale flag
                        start = System.nanoTime();
                    }
                }
                seen = posted;
                job.runRanges();
                job = null;
                done = seen;
                Thread w = waiter;
                if (w != null) LockSupport.unpark(w);
            }
        }
    }
}
