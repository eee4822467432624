package pinn.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import pinn.runtime.BlackScholes;
import pinn.runtime.OptionType;

/**
 * The README's embedding example, statement for statement, with what a reader would expect of each
 * line asserted: if the public API drifts from the README, this stops compiling or fails.
 */
class ReadmeEmbeddingExampleTest {

    @Test
    void theReadmeExampleRunsAndPricesWhatItSays() throws Exception {
        try (PinnRuntime runtime = PinnRuntime.open()) {
            // One option, price and five Greeks, on the calling thread (S, K, τ, r, σ).
            PricedOption call = runtime.price(OptionType.CALL, 105.0, 100.0, 0.5, 0.03, 0.20);
            assertEquals(BlackScholes.value(OptionType.CALL, 105.0, 100.0, 0.5, 0.03, 0.20).price(), call.price(), 2e-3 * 100);
            assertEquals(Engine.PINN_CPU, call.engine());
            assertTrue(call.valuation().delta() > 0 && call.valuation().delta() < 1, "delta " + call.valuation().delta());

            // A batch: any field is an array or a scalar broadcast to the batch length.
            OptionBatch book = OptionBatch.builder()
                    .spot(new double[] {90, 100, 110}).strike(100).expiry(0.5).rate(0.03).vol(0.2)
                    .type(OptionType.PUT)
                    .build();
            PricedBatch priced = runtime.price(book);                       // price + Greeks
            PricedBatch pricesOnly = runtime.price(book, Outputs.PRICE);    // a quarter of the work
            CompletableFuture<PricedBatch> later = runtime.priceAsync(book, Outputs.PRICE_AND_GREEKS);

            assertEquals(3, priced.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(priced.price(i), pricesOnly.price(i), 1e-12 * Math.abs(priced.price(i)), "price-only and full price of option " + i);
                assertEquals(priced.price(i), later.get(10, TimeUnit.SECONDS).price(i), 0.0, "the asynchronous batch, option " + i);
            }
            assertTrue(priced.price(0) > priced.price(1) && priced.price(1) > priced.price(2), "puts fall as spot rises");
        }
    }
}
