package pinn.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import pinn.runtime.DefaultModel;
import pinn.runtime.OptionType;
import pinn.runtime.model.Domain;
import pinn.runtime.model.ModelFile;

class ModelCacheTest {

    /** A spec with the default model's architecture (2 → 32×4 → 1), so that the default model's file serves it. */
    private static ModelSpec spec(double maxVol) {
        return new ModelSpec(new Domain(0.5, 2.0, 0.02, 2.0, 0.05, maxVol, 0.0, 0.10), List.of(32, 32, 32, 32), 6000, 1);
    }

    @Test
    void specsEqualInPracticeAreOneKey() {
        assertEquals(spec(0.8), spec(0.1 * 8));                          // 0.8000000000000002
        assertEquals(spec(0.8).hashCode(), spec(0.8 + 1e-12).hashCode());
        assertEquals(spec(0.8), spec(0.8000004));                         // within 6 significant digits
        assertNotEquals(spec(0.8), spec(0.80001));
        assertEquals("m0.5-2_t0.02-2_v0.05-0.8_r0-0.1_32x4_n6000_s1.pinn", spec(0.8).fileName());
        assertEquals(0.0, ModelSpec.round(-0.0));
    }

    /** The default model file, whatever the spec: enough to count loads. */
    private static ModelFile defaultFile() throws Exception {
        return DefaultModel.file();
    }

    @Test
    void concurrentMissesLoadOnceAndAreServedAnalyticallyMeanwhile() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        try (PinnRuntime runtime = PinnRuntime.builder().modelLoader(spec -> {
            loads.incrementAndGet();
            release.await(10, TimeUnit.SECONDS);
            return defaultFile();
        }).build()) {
            OptionBatch batch = OptionBatch.of(OptionType.CALL, 100, 100, 1, 0.05, 0.2);
            ExecutorService callers = Executors.newFixedThreadPool(16);
            List<Future<PricedBatch>> answers = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            for (int t = 0; t < 16; t++) {
                answers.add(callers.submit(() -> {
                    start.await();
                    return runtime.price(spec(0.8), batch, Outputs.PRICE_AND_GREEKS);
                }));
            }
            start.countDown();
            for (Future<PricedBatch> answer : answers) {
                PricedBatch priced = answer.get(10, TimeUnit.SECONDS);    // never blocked by the load
                assertEquals(Engine.ANALYTIC, priced.engine(0));
                assertEquals(FallbackReason.MODEL_UNAVAILABLE, priced.fallback(0));
            }
            callers.shutdown();
            release.countDown();
            runtime.preload(spec(0.8)).get(10, TimeUnit.SECONDS);
            assertEquals(1, loads.get(), "one load for sixteen concurrent misses");
            PricedBatch afterLoad = runtime.price(spec(0.8 + 1e-12), batch, Outputs.PRICE_AND_GREEKS);
            assertEquals(Engine.PINN_CPU, afterLoad.engine(0));
            CacheStatistics stats = runtime.cacheStatistics();
            assertEquals(1, stats.loads());
            assertEquals(16, stats.misses());
            assertTrue(stats.hits() >= 1);
            assertEquals(1, stats.size());
        }
    }

    @Test
    void theLookupThatStartsALoadIsAMissEvenWhenTheLoadIsDoneAtOnce() throws Exception {
        AtomicInteger opened = new AtomicInteger();
        // Loads run on the calling thread, so the model is ready before the lookup that started it returns.
        try (ModelCache cache = new ModelCache(2, spec -> defaultFile(), file -> {
            opened.incrementAndGet();
            return new LoadedModel("test", file, List.of(), List.of(), null, Runnable::run);
        }, Runnable::run, null)) {
            assertEquals(null, cache.acquireIfReady(spec(0.8)), "the first lookup of a spec is a miss");
            assertEquals(1, opened.get());
            LoadedModel model = cache.acquireIfReady(spec(0.8));
            assertNotNull(model, "the second lookup finds the loaded model");
            model.release();
            CacheStatistics stats = cache.statistics();
            assertEquals(1, stats.misses());
            assertEquals(1, stats.hits());
        }
    }

    @Test
    void theLeastRecentlyUsedModelIsEvicted() throws Exception {
        try (PinnRuntime runtime = PinnRuntime.builder().cacheCapacity(2).modelLoader(spec -> defaultFile()).build()) {
            runtime.preload(spec(0.7)).get(10, TimeUnit.SECONDS);
            runtime.preload(spec(0.8)).get(10, TimeUnit.SECONDS);
            OptionBatch batch = OptionBatch.of(OptionType.CALL, 100, 100, 1, 0.05, 0.2);
            assertEquals(Engine.PINN_CPU, runtime.price(spec(0.7), batch, Outputs.PRICE).engine(0));   // 0.7 is now the most recent
            runtime.preload(spec(0.9)).get(10, TimeUnit.SECONDS);
            assertEquals(List.of(spec(0.7), spec(0.9)), runtime.cachedModels());
            assertEquals(1, runtime.cacheStatistics().evictions());
            assertEquals(2, runtime.cacheStatistics().size());
        }
    }

    @Test
    void aFailedLoadIsCountedAndRetriedLater() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        try (PinnRuntime runtime = PinnRuntime.builder().modelLoader(spec -> {
            if (attempts.incrementAndGet() == 1) throw new java.io.IOException("disk on fire (injected)");
            return defaultFile();
        }).build()) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> runtime.preload(spec(0.8)).get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("disk on fire"), e.toString());
            assertEquals(1, runtime.cacheStatistics().loadFailures());
            assertEquals(0, runtime.cacheStatistics().size(), "a failed load is forgotten");
            runtime.preload(spec(0.8)).get(10, TimeUnit.SECONDS);
            assertEquals(2, attempts.get());
            assertNotNull(runtime.cachedModels().getFirst());
            runtime.clearCache();
            assertEquals(0, runtime.cacheStatistics().size());
        }
    }

    @Test
    void aModelDirectoryServesSpecsByFileName(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        defaultFile().write(dir.resolve(spec(0.8).fileName()));
        try (PinnRuntime runtime = PinnRuntime.builder().modelDirectory(dir, false).build()) {
            runtime.preload(spec(0.8)).get(10, TimeUnit.SECONDS);
            OptionBatch batch = OptionBatch.of(OptionType.CALL, 100, 100, 1, 0.05, 0.2);
            assertEquals(Engine.PINN_CPU, runtime.price(spec(0.8), batch, Outputs.PRICE).engine(0));
            ExecutionException missing = assertThrows(ExecutionException.class, () -> runtime.preload(spec(0.7)).get(10, TimeUnit.SECONDS));
            assertTrue(missing.getCause().getMessage().contains(spec(0.7).fileName() + " and training is off"), missing.toString());

            // A file whose network is not the one its name describes is refused, not served.
            ModelSpec wider = new ModelSpec(spec(0.8).domain(), List.of(64, 64, 64, 64), 6000, 1);
            defaultFile().write(dir.resolve(wider.fileName()));
            ExecutionException mismatch = assertThrows(ExecutionException.class, () -> runtime.preload(wider).get(10, TimeUnit.SECONDS));
            assertTrue(mismatch.getCause().getMessage().contains("has hidden layers [32, 32, 32, 32] where its name says [64, 64, 64, 64]"),
                    mismatch.toString());
        }
    }
}
