package pinn.runtime.engine;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Makes a runtime's threads and remembers them, so that {@link PinnRuntime#close()} can wait until
 * each has really ended. An executor reports termination just before its threads exit, and a
 * worker frees its thread-confined buffers as it exits: both must be over before the backends
 * those buffers live on are closed.
 */
final class RuntimeThreads {

    private final String namePrefix;
    private final Queue<Thread> started = new ConcurrentLinkedQueue<>();

    /** @param namePrefix the start of every thread's name, e.g. "pinn-1-" */
    RuntimeThreads(String namePrefix) {
        this.namePrefix = namePrefix;
    }

    String namePrefix() {
        return namePrefix;
    }

    /**
     * Remembers {@code thread}, which must be one of the runtime's own, and forgets those that have
     * ended: the worker pool retires idle workers and starts new ones, so over a long life the
     * ended ones would pile up.
     */
    <T extends Thread> T track(T thread) {
        started.removeIf(t -> t.getState() == Thread.State.TERMINATED);
        started.add(thread);
        return thread;
    }

    /** How many threads are remembered: every one not known to have ended. */
    int remembered() {
        return started.size();
    }

    /** An executor with one daemon thread named namePrefix + {@code name}. */
    ExecutorService singleThread(String name) {
        return Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, namePrefix + name);
            thread.setDaemon(true);
            return track(thread);
        });
    }

    /**
     * Waits until every thread made here has ended, or {@code deadlineNanos} (a
     * {@link System#nanoTime()} value) has passed.
     *
     * @return the names of the threads still alive; empty when all have ended
     */
    List<String> join(long deadlineNanos) throws InterruptedException {
        for (Thread thread : started) {
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
        return started.stream().filter(Thread::isAlive).map(Thread::getName).toList();
    }
}
