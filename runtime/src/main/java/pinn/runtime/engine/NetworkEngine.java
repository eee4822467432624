package pinn.runtime.engine;

import java.util.function.BooleanSupplier;
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
 * layer and jet lane over blocks of options) on the network's backend, the CPU's or a GPU's;
 * single options, on the CPU only, through the fused {@link SingleOptionPricer}.
 *
 * <p>On runtime workers each thread keeps its batch buffers and tape workspace from call to call;
 * other threads get temporary ones per call.
 */
final class NetworkEngine implements PricingEngine {

    /** Options per GEMM block on the CPU: large enough to keep the kernels efficient, small enough for the caches. */
    static final int CPU_BLOCK = 1024;
    /** Options per block on a GPU: enough rows to fill the device. */
    static final int GPU_BLOCK = 1 << 16;
    /** Up to this many options the fused single-option path beats setting up a GEMM block. */
    static final int SMALL_BATCH = 16;

    private final Engine id;
    private final PricingNetwork network;
    private final int block;
    /** The fused single-option path; null on a GPU, where one option is not worth a device round trip. */
    private final SingleOptionPricer single;

    /** Whether the network's backend can still compute (a GPU's fails for good after a device fault). */
    private final BooleanSupplier usable;

    /** An engine on a backend that never fails for good (the CPU's). */
    NetworkEngine(Engine id, PricingNetwork network) {
        this(id, network, () -> true);
    }

    NetworkEngine(Engine id, PricingNetwork network, BooleanSupplier usable) {
        this.id = id;
        this.usable = usable;
        this.network = network;
        boolean gpu = id == Engine.PINN_CUDA;
        this.block = gpu ? GPU_BLOCK : CPU_BLOCK;
        this.single = gpu ? null : new SingleOptionPricer(network);
    }

    @Override
    public Engine id() {
        return id;
    }

    @Override
    public int chunkSize() {
        return block;
    }

    @Override
    public boolean usable() {
        return usable.getAsBoolean();
    }

    /** One option by the fused jets. */
    @Override
    public void priceOne(OptionType type, double spot, double strike, double expiry, double rate, double vol, boolean greeks,
                         ValuationColumns out, int index) {
        if (single == null) throw new UnsupportedOperationException(id.label() + " prices batches only");
        single.price(type, spot, strike, expiry, rate, vol, greeks, out, index);
    }

    @Override
    public void price(OptionBatch batch, int from, int to, boolean greeks, ValuationColumns out) {
        if (single != null && to - from <= SMALL_BATCH) {
            for (int i = from; i < to; i++) {
                priceOne(batch.type(i), batch.spot(i), batch.strike(i), batch.expiry(i), batch.rate(i), batch.vol(i), greeks, out, i);
            }
            return;
        }
        Backend backend = network.mlp().backend();
        if (WorkerPool.onWorkerThread()) {
            priceBlocks(WorkerPool.threadResource(backend, () -> new BlockContext(backend, block)), batch, from, to, greeks, out);
        } else {
            try (BlockContext context = new BlockContext(backend, block)) {
                priceBlocks(context, batch, from, to, greeks, out);
            }
        }
    }

    private void priceBlocks(BlockContext context, OptionBatch batch, int from, int to, boolean greeks, ValuationColumns out) {
        CallBatch points = context.points;
        for (int start = from; start < to; start += block) {
            int n = Math.min(block, to - start);
            for (int k = 0; k < n; k++) {
                int i = start + k;
                points.moneyness[k] = batch.spot(i) / batch.strike(i);
                points.expiry[k] = batch.expiry(i);
                points.vol[k] = batch.vol(i);
                points.rate[k] = batch.rate(i);
            }
            try (Tape tape = new Tape(network.mlp().backend(), context.workspace)) {
                points.price(network, tape, n, greeks);
            }
            for (int k = 0; k < n; k++) {
                int i = start + k;
                if (greeks) {
                    out.setFromPerUnitStrike(i, batch.type(i), batch.spot(i), batch.strike(i), batch.expiry(i), batch.rate(i), points.perUnitStrike, 6 * k);
                } else {
                    out.setPriceFromPerUnitStrike(i, batch.type(i), batch.spot(i), batch.strike(i), batch.expiry(i), batch.rate(i), points.perUnitStrike[6 * k]);
                }
            }
        }
    }

    /** Frees the single-option scratch; the network belongs to the model. */
    void close() {
        if (single != null) single.close();
    }

    /** One thread's block buffers and tape memory. */
    private static final class BlockContext implements AutoCloseable {
        final CallBatch points;
        final Workspace workspace;

        BlockContext(Backend backend, int size) {
            points = new CallBatch(size);
            workspace = new Workspace(backend);
        }

        @Override
        public void close() {
            workspace.close();
        }
    }
}
