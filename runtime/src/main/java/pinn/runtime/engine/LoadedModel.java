package pinn.runtime.engine;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import pinn.runtime.PricingNetwork;
import pinn.runtime.model.ModelFile;

/**
 * A model ready to price: its file (domain, metadata), its networks' parameters in native memory
 * and the network engines of its fallback chain, with a reference count so that it can be
 * replaced or evicted while requests still use it.
 *
 * <p>The holder (the runtime's current-model slot or a cache entry) owns one reference; each
 * request {@link #tryAcquire acquires} one for as long as it prices. {@link #retire()} drops the
 * holder's reference; the native memory is freed when the last reference goes, never while a
 * request still reads it.
 *
 * <p>The last reference is often a request's, so the freeing is handed to {@code freer}: closing a
 * shared arena waits for every thread of the JVM to reach a safe point, which took 30–40 µs on an
 * idle JVM here and hundreds of µs to milliseconds with busy threads, a cost no request should pay
 * for a swap. Freeing never throws: a failure is logged.
 */
final class LoadedModel {

    private static final System.Logger LOG = System.getLogger(LoadedModel.class.getName());

    private final String name;
    private final ModelFile file;
    private final List<PricingNetwork> networks;
    private final List<NetworkEngine> engines;
    private final FallbackChain chain;
    private final AtomicInteger references = new AtomicInteger(1);
    private final AtomicBoolean retired = new AtomicBoolean();
    private final Executor freer;

    /**
     * @param networks the file's network on each backend, in chain order (GPU first when there is one)
     * @param engines one network engine per network, same order (closed with the model)
     * @param chain the fallback chain over those engines and the model's domain
     * @param freer where the freeing runs once the last reference is gone; when it refuses (shut
     *              down), the freeing runs on the thread that released
     */
    LoadedModel(String name, ModelFile file, List<PricingNetwork> networks, List<NetworkEngine> engines, FallbackChain chain,
                Executor freer) {
        this.chain = chain;
        this.freer = freer;
        this.name = name;
        this.file = file;
        this.networks = List.copyOf(networks);
        this.engines = List.copyOf(engines);
    }

    String name() {
        return name;
    }

    ModelFile file() {
        return file;
    }

    /** The chain that prices with this model. */
    FallbackChain chain() {
        return chain;
    }

    /** Takes a reference for one request; false if the model is already freed (the caller looks again). */
    boolean tryAcquire() {
        while (true) {
            int n = references.get();
            if (n == 0) return false;
            if (references.compareAndSet(n, n + 1)) return true;
        }
    }

    /** Gives back a reference; the last one has the model freed. Never throws. */
    void release() {
        if (references.decrementAndGet() != 0) return;
        try {
            freer.execute(this::free);
        } catch (RejectedExecutionException shutDown) {
            free();
        }
    }

    /** Drops the holder's reference (once); in-flight requests keep the model alive until they release. */
    void retire() {
        if (retired.compareAndSet(false, true)) release();
    }

    /** Whether the last reference is gone: the freeing is queued or done, and no request can acquire the model. */
    boolean isFreed() {
        return references.get() == 0;
    }

    /** Closes the engines, then the networks they price with; a failure is logged and the rest still closed. */
    private void free() {
        for (NetworkEngine engine : engines) closeLogging(engine::close);
        for (PricingNetwork network : networks) closeLogging(network::close);
    }

    private void closeLogging(Runnable close) {
        try {
            close.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "freeing model " + name + " failed", e);
        }
    }
}
