package pinn.runtime.engine;

import pinn.autodiff.Tape;
import pinn.autodiff.Workspace;
import pinn.kernels.Backend;
import pinn.runtime.CallBatch;
import pinn.runtime.OptionType;
import pinn.runtime.PricingNetwork;
import pinn.runtime.SingleOptionPricer;
import pinn.runtime.ValuationColumns;

/**
 * The trained network as a link of the chain: batches through {@link CallBatch} (one GEMM per
 * layer and jet lane over blocks of {@link #BLOCK} options) on the network's backend, single
 * options through the fused {@link SingleOptionPricer}.
 *
 * <p>On runtime workers each thread keeps its batch buffers and tape workspace from call to call;
 * other threads get temporary ones per call.
 */
final class NetworkEngine implements PricingEngine {

    /** Options per GEMM block: large enough to keep the kernels efficient, small enough for the caches. */
    static final int BLOCK = 1024;
    /** Up to this many options the fused single-option path beats setting up a GEMM block. */
    static final int SMALL_BATCH = 16;

    private final Engine id;
    private final PricingNetwork network;
    private final SingleOptionPricer single;

    NetworkEngine(Engine id, PricingNetwork network) {
        this.id = id;
        this.network = network;
        this.single = new SingleOptionPricer(network);
    }

    @Override
    public Engine id() {
        return id;
    }

    @Override
    public int chunkSize() {
        return BLOCK;
    }

    /** One option by the fused jets. */
    @Override
    public void priceOne(OptionType type, double spot, double strike, double expiry, double rate, double vol, boolean greeks,
                         ValuationColumns out, int index) {
        single.price(type, spot, strike, expiry, rate, vol, greeks, out, index);
    }

    @Override
    public void price(OptionBatch batch, int from, int to, boolean greeks, ValuationColumns out) {
        if (to - from <= SMALL_BATCH) {
            for (int i = from; i < to; i++) {
                priceOne(batch.type(i), batch.spot(i), batch.strike(i), batch.expiry(i), batch.rate(i), batch.vol(i), greeks, out, i);
            }
            return;
        }
        Backend backend = network.mlp().backend();
        if (WorkerPool.onWorkerThread()) {
            priceBlocks(WorkerPool.threadResource(backend, () -> new BlockContext(backend)), batch, from, to, greeks, out);
        } else {
            try (BlockContext context = new BlockContext(backend)) {
                priceBlocks(context, batch, from, to, greeks, out);
            }
        }
    }

    private void priceBlocks(BlockContext context, OptionBatch batch, int from, int to, boolean greeks, ValuationColumns out) {
        CallBatch block = context.block;
        for (int start = from; start < to; start += BLOCK) {
            int n = Math.min(BLOCK, to - start);
            for (int k = 0; k < n; k++) {
                int i = start + k;
                block.moneyness[k] = batch.spot(i) / batch.strike(i);
                block.expiry[k] = batch.expiry(i);
                block.vol[k] = batch.vol(i);
                block.rate[k] = batch.rate(i);
            }
            try (Tape tape = new Tape(network.mlp().backend(), context.workspace)) {
                block.price(network, tape, n, greeks);
            }
            for (int k = 0; k < n; k++) {
                int i = start + k;
                if (greeks) {
                    out.setFromPerUnitStrike(i, batch.type(i), batch.spot(i), batch.strike(i), batch.expiry(i), batch.rate(i), block.perUnitStrike, 6 * k);
                } else {
                    out.setPriceFromPerUnitStrike(i, batch.type(i), batch.spot(i), batch.strike(i), batch.expiry(i), batch.rate(i), block.perUnitStrike[6 * k]);
                }
            }
        }
    }

    /** Frees the single-option scratch; the network belongs to the model. */
    void close() {
        single.close();
    }

    /** One thread's block buffers and tape memory. */
    private static final class BlockContext implements AutoCloseable {
        final CallBatch block = new CallBatch(BLOCK);
        final Workspace workspace;

        BlockContext(Backend backend) {
            workspace = new Workspace(backend);
        }

        @Override
        public void close() {
            workspace.close();
        }
    }
}
