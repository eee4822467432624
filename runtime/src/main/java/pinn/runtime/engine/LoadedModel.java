package pinn.runtime.engine;

import java.util.ArrayList;
import java.util.List;
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
 */
final class LoadedModel {

    private final String name;
    private final ModelFile file;
    private final List<PricingNetwork> networks;
    private final List<NetworkEngine> engines;
    private final FallbackChain chain;
    private final AtomicInteger references = new AtomicInteger(1);
    private final AtomicBoolean retired = new AtomicBoolean();

    /**
     * @param networks the file's network on each backend, in chain order (GPU first when there is one)
     * @param engines one network engine per network, same order (closed with the model)
     * @param chain the fallback chain over those engines and the model's domain
     */
    LoadedModel(String name, ModelFile file, List<PricingNetwork> networks, List<NetworkEngine> engines, FallbackChain chain) {
        this.chain = chain;
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

    /** Gives back a reference; the last one frees the model. */
    void release() {
        if (references.decrementAndGet() == 0) free();
    }

    /** Drops the holder's reference (once); in-flight requests keep the model alive until they release. */
    void retire() {
        if (retired.compareAndSet(false, true)) release();
    }

    /** Whether the native memory has been freed. */
    boolean isFreed() {
        return references.get() == 0;
    }

    private void free() {
        List<RuntimeException> failures = new ArrayList<>();
        for (NetworkEngine engine : engines) engine.close();
        for (PricingNetwork network : networks) {
            try {
                network.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) throw failures.getFirst();
    }
}
