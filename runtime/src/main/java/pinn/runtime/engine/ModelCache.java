package pinn.runtime.engine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import pinn.runtime.model.ModelFile;

/**
 * Models by {@link ModelSpec}, at most {@code capacity} of them, least recently used first out.
 *
 * <p>A lookup never waits: it returns the model if it is ready, and otherwise starts a load (or
 * training) on the executor, once per spec however many threads miss at the same moment (single
 * flight), and returns nothing, so the caller serves the request another way (the runtime prices
 * it analytically) meanwhile. A failed load is forgotten, so a later lookup tries again. Evicted
 * models are {@link LoadedModel#retire() retired}: freed once the requests using them finish.
 */
final class ModelCache implements AutoCloseable {

    private final int capacity;
    private final ModelLoader loader;
    private final Function<ModelFile, LoadedModel> opener;
    private final Executor executor;
    private final PinnMetrics metrics;
    /** Access-ordered: iteration starts at the least recently used entry. Guarded by {@code this}. */
    private final LinkedHashMap<ModelSpec, CompletableFuture<LoadedModel>> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final AtomicLong hits = new AtomicLong(), misses = new AtomicLong(), loads = new AtomicLong(),
            loadFailures = new AtomicLong(), evictions = new AtomicLong();
    private boolean closed;

    /**
     * @param opener turns a loaded file into a model ready to price (runs on the executor)
     * @param metrics where hits, misses, loads and evictions are counted too; may be null
     */
    ModelCache(int capacity, ModelLoader loader, Function<ModelFile, LoadedModel> opener, Executor executor, PinnMetrics metrics) {
        if (capacity < 1) throw new IllegalArgumentException("model cache capacity must be >= 1, was " + capacity);
        this.capacity = capacity;
        this.loader = loader;
        this.opener = opener;
        this.executor = executor;
        this.metrics = metrics;
    }

    /**
     * The model for {@code spec}, acquired for the caller (who must {@link LoadedModel#release()}
     * it), or null if it is not ready; a miss of an absent spec starts its load.
     */
    LoadedModel acquireIfReady(ModelSpec spec) {
        Entry entry = entry(spec);
        CompletableFuture<LoadedModel> future = entry.future();
        // The lookup that started the load is a miss, however soon the load then completes.
        LoadedModel model = !entry.started() && future.isDone() && !future.isCompletedExceptionally() ? future.join() : null;
        if (model != null && model.tryAcquire()) {
            count(hits, metrics == null ? null : metrics.cacheHits);
            return model;
        }
        count(misses, metrics == null ? null : metrics.cacheMisses);
        return null;
    }

    /** Completes when the model of {@code spec} is loaded (starting the load if needed), or with the load's failure. Not a lookup: counts nothing. */
    CompletableFuture<LoadedModel> whenReady(ModelSpec spec) {
        return entry(spec).future().copy();
    }

    /** A spec's model as it is or will be loaded, and whether the lookup that found it started its load. */
    private record Entry(CompletableFuture<LoadedModel> future, boolean started) {}

    /** The entry of {@code spec}, made and its load started if absent (single flight: under the lock). */
    private Entry entry(ModelSpec spec) {
        CompletableFuture<LoadedModel> future;
        synchronized (this) {
            if (closed) throw new IllegalStateException("the model cache is closed");
            future = entries.get(spec);
            if (future != null) return new Entry(future, false);
            future = new CompletableFuture<>();
            entries.put(spec, future);
        }
        startLoad(spec, future);
        return new Entry(future, true);
    }

    private void startLoad(ModelSpec spec, CompletableFuture<LoadedModel> future) {
        count(loads, metrics == null ? null : metrics.cacheLoads);
        try {
            executor.execute(() -> {
                try {
                    LoadedModel model = opener.apply(loader.load(spec));
                    boolean held;
                    synchronized (this) {
                        held = !closed && entries.get(spec) == future;
                    }
                    if (!held) {
                        model.retire();
                        future.completeExceptionally(new IllegalStateException("the cache was cleared while " + spec.fileName() + " loaded"));
                        return;
                    }
                    // Make room first, so that whoever waits on the future sees the cache within its bound.
                    evictBeyondCapacity();
                    future.complete(model);
                } catch (Throwable e) {
                    failed(spec, future, e);
                }
            });
        } catch (RuntimeException rejected) {
            failed(spec, future, rejected);
        }
    }

    private void failed(ModelSpec spec, CompletableFuture<LoadedModel> future, Throwable e) {
        count(loadFailures, metrics == null ? null : metrics.cacheLoadFailures);
        synchronized (this) {
            entries.remove(spec, future);
        }
        future.completeExceptionally(e);
    }

    /** Retires the least recently used ready models while more than {@code capacity} are held. */
    private void evictBeyondCapacity() {
        List<LoadedModel> evicted = new ArrayList<>();
        synchronized (this) {
            Iterator<Map.Entry<ModelSpec, CompletableFuture<LoadedModel>>> it = entries.entrySet().iterator();
            while (entries.size() > capacity && it.hasNext()) {
                CompletableFuture<LoadedModel> future = it.next().getValue();
                if (future.isDone() && !future.isCompletedExceptionally()) {
                    evicted.add(future.join());
                    it.remove();
                }
            }
        }
        for (LoadedModel model : evicted) {
            count(evictions, metrics == null ? null : metrics.cacheEvictions);
            model.retire();
        }
    }

    CacheStatistics statistics() {
        int size;
        synchronized (this) {
            size = entries.size();
        }
        return new CacheStatistics(hits.get(), misses.get(), loads.get(), loadFailures.get(), evictions.get(), size);
    }

    /** The specs of the ready models, least recently used first. */
    synchronized List<ModelSpec> readySpecs() {
        List<ModelSpec> specs = new ArrayList<>();
        entries.forEach((spec, future) -> {
            if (future.isDone() && !future.isCompletedExceptionally()) specs.add(spec);
        });
        return specs;
    }

    /** Retires every model; loads in flight are dropped when they finish. */
    void clear() {
        List<CompletableFuture<LoadedModel>> dropped;
        synchronized (this) {
            dropped = new ArrayList<>(entries.values());
            entries.clear();
        }
        // A load still running when it is dropped retires its model as soon as it completes.
        for (CompletableFuture<LoadedModel> future : dropped) future.thenAccept(LoadedModel::retire);
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        clear();
    }

    private static void count(AtomicLong counter, io.prometheus.metrics.core.metrics.Counter metric) {
        counter.incrementAndGet();
        if (metric != null) metric.inc();
    }
}
