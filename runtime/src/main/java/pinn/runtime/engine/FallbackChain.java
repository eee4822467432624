package pinn.runtime.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import pinn.runtime.OptionType;
import pinn.runtime.ValuationColumns;
import pinn.runtime.model.Domain;

/**
 * Prices through a list of engines, each backing up the one before it, with the analytic formula
 * last: a range an engine fails on is re-priced by the next (no option is lost), options outside
 * the model's domain go to the formula, and network results that fail the {@link SelfCheck} are
 * replaced by the formula's. Every result is tagged with its engine and fallback reason, and
 * counted in the metrics.
 *
 * <p>Batches are split into pieces of the leading engine's {@link PricingEngine#chunkSize()} and
 * priced in parallel on the runtime's workers. The leading engine is the first one still
 * {@link PricingEngine#usable() usable}: after a GPU is lost for good, the CPU engine leads, and its
 * results are no longer fallbacks.
 */
final class FallbackChain {

    private final List<PricingEngine> engines;
    private final AnalyticEngine analytic = new AnalyticEngine();
    private final Domain domain;
    private final SelfCheck selfCheck;
    private final PinnMetrics metrics;

    /** @param networkEngines the engines before the formula, in order (may be empty) */
    FallbackChain(List<? extends PricingEngine> networkEngines, Domain domain, SelfCheck selfCheck, PinnMetrics metrics) {
        List<PricingEngine> all = new ArrayList<>(networkEngines);
        all.add(analytic);
        this.engines = List.copyOf(all);
        this.domain = domain;
        this.selfCheck = selfCheck;
        this.metrics = metrics;
    }

    /** Every option of {@code batch} by the formula, tagged with {@code reason} (the model is not available). */
    void priceAnalytically(OptionBatch batch, PricedBatch out, FallbackReason reason) {
        analytic.price(batch, 0, batch.size(), true, out.valuations());
        out.tag(0, batch.size(), Engine.ANALYTIC, reason);
        metrics.priced(Engine.ANALYTIC, batch.size());
        metrics.fallback(reason, batch.size());
    }

    /** One option, on the calling thread, allocation-free on the network path; stored at {@code index} of {@code out}. */
    void priceOne(OptionType type, double spot, double strike, double expiry, double rate, double vol, boolean greeks,
                  PricedBatch out, int index) {
        ValuationColumns results = out.valuations();
        if (!domain.contains(spot / strike, expiry, vol, rate)) {
            analyticOne(type, spot, strike, expiry, rate, vol, out, index, FallbackReason.OUTSIDE_DOMAIN);
            return;
        }
        boolean first = true;
        for (int k = 0; k < engines.size() - 1; k++) {
            PricingEngine engine = engines.get(k);
            // One option never goes to a GPU: the device round trip costs more than the whole CPU pass.
            if (engine.id() == Engine.PINN_CUDA || !engine.usable()) continue;
            boolean wasFirst = first;
            first = false;
            try {
                engine.priceOne(type, spot, strike, expiry, rate, vol, greeks, results, index);
            } catch (RuntimeException e) {
                failed(engine, out, index, index + 1, e);
                continue;
            }
            if (!passesSelfCheck(spot, strike, rate, vol, greeks, results, index)) {
                metrics.selfCheckRejected();
                analyticOne(type, spot, strike, expiry, rate, vol, out, index, FallbackReason.SELF_CHECK);
                return;
            }
            FallbackReason reason = wasFirst ? FallbackReason.NONE : FallbackReason.ENGINE_FAILED;
            out.tag(index, engine.id(), reason);
            metrics.priced(engine.id(), 1);
            if (reason != FallbackReason.NONE) metrics.fallback(reason, 1);
            return;
        }
        analyticOne(type, spot, strike, expiry, rate, vol, out, index, first ? FallbackReason.NONE : FallbackReason.ENGINE_FAILED);
    }

    private void analyticOne(OptionType type, double spot, double strike, double expiry, double rate, double vol,
                             PricedBatch out, int index, FallbackReason reason) {
        analytic.priceOne(type, spot, strike, expiry, rate, vol, true, out.valuations(), index);
        out.tag(index, Engine.ANALYTIC, reason);
        metrics.priced(Engine.ANALYTIC, 1);
        if (reason != FallbackReason.NONE) metrics.fallback(reason, 1);
    }

    /**
     * The whole batch, in parallel on {@code workers}; a small batch (up to
     * {@link NetworkEngine#SMALL_BATCH} options, which take the fused path) stays on the calling thread.
     */
    void price(OptionBatch batch, boolean greeks, PricedBatch out, ForkJoinPool workers) {
        out.clearFailures();
        int lead = 0;
        while (!engines.get(lead).usable()) lead++; // the formula, last, is always usable
        Piece whole = new Piece(batch, greeks, out, lead, lead, 0, batch.size());
        if (batch.size() <= NetworkEngine.SMALL_BATCH || WorkerPool.onWorkerThread()) whole.invoke();
        else workers.invoke(whole);
    }

    /** Options [from, to) of a batch for engine {@code k} of the chain (led by engine {@code lead}), split into that engine's chunks. */
    private final class Piece extends RecursiveAction {
        private final OptionBatch batch;
        private final boolean greeks;
        private final PricedBatch out;
        private final int lead, k, from, to;

        Piece(OptionBatch batch, boolean greeks, PricedBatch out, int lead, int k, int from, int to) {
            this.batch = batch;
            this.greeks = greeks;
            this.out = out;
            this.lead = lead;
            this.k = k;
            this.from = from;
            this.to = to;
        }

        @Override
        protected void compute() {
            PricingEngine engine = engines.get(k);
            int chunk = engine.chunkSize();
            if (to - from > chunk && ForkJoinTask.inForkJoinPool()) {
                List<Piece> pieces = new ArrayList<>();
                for (int start = from; start < to; start += chunk) pieces.add(new Piece(batch, greeks, out, lead, k, start, Math.min(to, start + chunk)));
                invokeAll(pieces);
                return;
            }
            try {
                engine.price(batch, from, to, greeks, out.valuations());
            } catch (RuntimeException e) {
                if (k == engines.size() - 1) throw e;
                failed(engine, out, from, to, e);
                new Piece(batch, greeks, out, lead, k + 1, from, to).compute();
                return;
            }
            settle(engine, k == lead ? FallbackReason.NONE : FallbackReason.ENGINE_FAILED);
        }

        /** Tags what {@code engine} priced; moves options outside the domain or failing the self-check to the formula. */
        private void settle(PricingEngine engine, FallbackReason reason) {
            boolean network = engine.id() != Engine.ANALYTIC;
            int served = 0;
            for (int i = from; i < to; i++) {
                FallbackReason replaced = null;
                if (network && !domain.contains(batch.spot(i) / batch.strike(i), batch.expiry(i), batch.vol(i), batch.rate(i))) {
                    replaced = FallbackReason.OUTSIDE_DOMAIN;
                } else if (network && !passesSelfCheck(batch.spot(i), batch.strike(i), batch.rate(i), batch.vol(i), greeks, out.valuations(), i)) {
                    metrics.selfCheckRejected();
                    replaced = FallbackReason.SELF_CHECK;
                }
                if (replaced == null) {
                    out.tag(i, engine.id(), reason);
                    served++;
                } else {
                    analytic.priceOne(batch.type(i), batch.spot(i), batch.strike(i), batch.expiry(i), batch.rate(i), batch.vol(i), true, out.valuations(), i);
                    out.tag(i, Engine.ANALYTIC, replaced);
                    metrics.priced(Engine.ANALYTIC, 1);
                    metrics.fallback(replaced, 1);
                }
            }
            metrics.priced(engine.id(), served);
            if (reason != FallbackReason.NONE) metrics.fallback(reason, served);
        }
    }

    private boolean passesSelfCheck(double spot, double strike, double rate, double vol, boolean greeks, ValuationColumns results, int i) {
        return greeks ? selfCheck.passes(spot, strike, rate, vol, results, i) : Double.isFinite(results.price(i));
    }

    private void failed(PricingEngine engine, PricedBatch out, int from, int to, RuntimeException e) {
        metrics.engineFailed(engine.id());
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        out.recordFailure(engine.id().label() + " failed on options " + from + "-" + (to - 1) + ": " + message);
    }
}
