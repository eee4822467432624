package pinn.runtime.engine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import pinn.runtime.Valuation;
import pinn.runtime.ValuationColumns;

/**
 * The results of a batch, in the batch's order: price and Greeks column by column (units in
 * {@link Valuation}), and for every option the engine that produced it and the reason for any
 * fallback. When an engine failed, {@link #engineFailures()} says how.
 *
 * <p>A caller may also keep one and pass it back to the runtime to be overwritten, so that
 * repeated pricing allocates nothing.
 */
public final class PricedBatch {

    private static final Engine[] ENGINES = Engine.values();
    private static final FallbackReason[] REASONS = FallbackReason.values();

    private final ValuationColumns valuations;
    private final byte[] engines, reasons;
    private final List<String> engineFailures = new CopyOnWriteArrayList<>();

    /** Room for {@code size} results. */
    public PricedBatch(int size) {
        valuations = new ValuationColumns(size);
        engines = new byte[size];
        reasons = new byte[size];
    }

    public int size() {
        return engines.length;
    }

    /** The option at {@code index} as a value. */
    public PricedOption get(int index) {
        return new PricedOption(valuations.get(index), engine(index), fallback(index));
    }

    /** The columns of prices and Greeks, for reading without a record per option. */
    public ValuationColumns valuations() {
        return valuations;
    }

    public double price(int index) {
        return valuations.price(index);
    }

    public Engine engine(int index) {
        return ENGINES[engines[index]];
    }

    public FallbackReason fallback(int index) {
        return REASONS[reasons[index]];
    }

    /** How many results {@code engine} produced. */
    public int count(Engine engine) {
        int n = 0;
        for (byte e : engines) if (e == engine.ordinal()) n++;
        return n;
    }

    /** One line per engine failure while pricing this batch, e.g. "pinn-cpu failed on options 0-1023: ...". */
    public List<String> engineFailures() {
        return List.copyOf(engineFailures);
    }

    void tag(int index, Engine engine, FallbackReason reason) {
        engines[index] = (byte) engine.ordinal();
        reasons[index] = (byte) reason.ordinal();
    }

    void tag(int from, int to, Engine engine, FallbackReason reason) {
        for (int i = from; i < to; i++) tag(i, engine, reason);
    }

    void recordFailure(String line) {
        engineFailures.add(line);
    }

    void clearFailures() {
        engineFailures.clear();
    }
}
