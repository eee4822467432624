package pinn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import pinn.kernels.NativeMemory;
import pinn.runtime.OptionType;
import pinn.runtime.engine.Engine;
import pinn.runtime.engine.OptionBatch;
import pinn.runtime.engine.Outputs;
import pinn.runtime.engine.PinnRuntime;
import pinn.runtime.engine.PricedBatch;

/**
 * The old service's gradient tape leaked 10–50 MB per 100 predictions. Here: a million single
 * options and a thousand batches of ten thousand leave the library's native memory exactly where
 * it was once the runtime had warmed up (workspaces are reused, nothing is opened per call), the
 * heap flat, and everything freed at close.
 */
class RuntimeSoakTest {

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    @Test
    void repeatedPricingHoldsNoMoreMemory() throws Exception {
        long nativeBeforeOpen = NativeMemory.bytesHeld();
        SplittableRandom random = new SplittableRandom(1);
        int batchSize = 10_000;
        double[] spot = new double[batchSize], vol = new double[batchSize];
        for (int i = 0; i < batchSize; i++) {
            spot[i] = 100 * (0.6 + 1.3 * random.nextDouble());
            vol[i] = 0.06 + 0.7 * random.nextDouble();
        }
        OptionBatch batch = OptionBatch.builder().spot(spot).strike(100).expiry(0.7).rate(0.03).vol(vol).type(OptionType.CALL).build();

        try (PinnRuntime runtime = PinnRuntime.builder().threads(2).build()) {
            PricedBatch single = new PricedBatch(1);
            // Warm-up: every worker makes its workspace once.
            for (int k = 0; k < 20; k++) runtime.price(batch, Outputs.PRICE_AND_GREEKS);
            for (int k = 0; k < 10_000; k++) runtime.priceInto(OptionType.PUT, spot[k], 100, 0.7, 0.03, vol[k], Outputs.PRICE_AND_GREEKS, single, 0);
            long nativeWarm = NativeMemory.bytesHeld();
            long heapWarm = heapAfterGc();

            for (int k = 0; k < 1_000_000; k++) {
                int i = k % batchSize;
                runtime.priceInto(OptionType.PUT, spot[i], 100, 0.7, 0.03, vol[i], Outputs.PRICE_AND_GREEKS, single, 0);
            }
            assertEquals(Engine.PINN_CPU, single.engine(0));
            for (int k = 0; k < 1_000; k++) {
                PricedBatch priced = runtime.price(batch, k % 2 == 0 ? Outputs.PRICE_AND_GREEKS : Outputs.PRICE);
                assertEquals(batchSize, priced.count(Engine.PINN_CPU));
            }

            assertEquals(nativeWarm, NativeMemory.bytesHeld(), "native bytes held after 10^6 options and 10^3 batches of 10^4");
            long heapGrowth = heapAfterGc() - heapWarm;
            assertTrue(heapGrowth < 16 << 20, "the heap grew by " + heapGrowth + " bytes");
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (NativeMemory.bytesHeld() != nativeBeforeOpen && System.nanoTime() < deadline) Thread.sleep(10);
        assertEquals(nativeBeforeOpen, NativeMemory.bytesHeld(), "closing the runtime frees every arena it opened");
    }
}
