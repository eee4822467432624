package pinn.runtime.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The runtime's own threads: a fork-join pool, one thread per core, that runs batch pieces and
 * asynchronous requests. Each worker may hold thread-confined resources (a tape workspace, batch
 * buffers) that it reuses from task to task and closes itself when it ends, so native memory
 * confined to a thread is freed by that thread.
 */
final class WorkerPool implements AutoCloseable {

    private final ForkJoinPool pool;

    /** The workers are named {@code threads.namePrefix()} + "worker-" + index, and tracked by {@code threads}. */
    WorkerPool(int count, RuntimeThreads threads) {
        String namePrefix = threads.namePrefix() + "worker-";
        pool = new ForkJoinPool(count, p -> threads.track(new Worker(p, namePrefix)), null, false);
    }

    ForkJoinPool pool() {
        return pool;
    }

    /** Whether the calling thread is a runtime worker, which can hold {@link #threadResource thread resources}. */
    static boolean onWorkerThread() {
        return Thread.currentThread() instanceof Worker;
    }

    /**
     * The calling worker's resource for {@code key}, made by {@code factory} on first use and
     * closed when the worker ends.
     *
     * @throws IllegalStateException if the caller is not a worker
     */
    static <T extends AutoCloseable> T threadResource(Object key, Supplier<T> factory) {
        if (!(Thread.currentThread() instanceof Worker worker)) throw new IllegalStateException("not a runtime worker thread");
        @SuppressWarnings("unchecked")
        T resource = (T) worker.resources.computeIfAbsent(key, k -> factory.get());
        return resource;
    }

    /** Stops taking tasks and waits up to {@code timeout} for running ones; true if all finished. */
    boolean shutdown(long timeout, TimeUnit unit) throws InterruptedException {
        pool.shutdown();
        return pool.awaitTermination(timeout, unit);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    /** A worker thread that owns the resources it made and closes them as it ends. */
    private static final class Worker extends ForkJoinWorkerThread {
        private final Map<Object, AutoCloseable> resources = new HashMap<>();

        private final String namePrefix;

        Worker(ForkJoinPool pool, String namePrefix) {
            super(null, pool, true);
            this.namePrefix = namePrefix;
        }

        @Override
        protected void onStart() {
            super.onStart();
            setName(namePrefix + getPoolIndex());
        }

        @Override
        protected void onTermination(Throwable exception) {
            List<AutoCloseable> held = new ArrayList<>(resources.values());
            resources.clear();
            for (AutoCloseable resource : held) {
                try {
                    resource.close();
                } catch (Exception e) {
                    // the thread is ending; the memory is freed with its arena either way
                }
            }
            super.onTermination(exception);
        }
    }
}
