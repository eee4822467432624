package pinn.runtime.engine;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import pinn.kernels.Backend;
import pinn.kernels.VectorBackend;
import pinn.kernels.cuda.CudaBackend;
import pinn.kernels.cuda.CudaException;
import pinn.kernels.cuda.CudaLibraries;
import pinn.kernels.cuda.CudaProbe;
import pinn.runtime.DefaultModel;
import pinn.runtime.OptionType;
import pinn.runtime.PricingNetwork;
import pinn.runtime.model.ModelFile;

/**
 * The pricing runtime an application embeds: European options priced by the trained network, with
 * the five Greeks, behind a fallback chain (GPU network when a CUDA device is usable → CPU network →
 * analytic formula), with input validation, a model cache and Prometheus metrics.
 *
 * <pre>{@code
 * try (PinnRuntime runtime = PinnRuntime.open()) {                 // the default model
 *     PricedOption call = runtime.price(OptionType.CALL, 105, 100, 0.5, 0.03, 0.2);
 *     double delta = call.valuation().delta();                      // call.engine() == Engine.PINN_CPU
 *     PricedBatch book = runtime.price(OptionBatch.builder()
 *             .spot(spots).strike(100).expiry(0.5).rate(0.03).vol(vols).type(OptionType.PUT).build());
 * }
 * }</pre>
 *
 * <p>Thread-safe. One option is priced on the calling thread by fused forward-mode jets; larger
 * batches in parallel on the runtime's worker threads (one per core). {@link #close()} stops new
 * work, waits for work in flight, stops the threads and frees the models' native memory.
 */
public final class PinnRuntime implements AutoCloseable {

    private static final AtomicLong RUNTIME_NUMBERS = new AtomicLong();
    private static final System.Logger LOG = System.getLogger(PinnRuntime.class.getName());
    /** The GPU reason label when the GPU engine leads. */
    private static final String NO_REASON = "none";
    /** The GPU reason label once a GPU found at start has failed (a device fault): every further call would be refused. */
    static final String GPU_LOST = "device-failed";
    /** How long close waits for queued frees (each takes microseconds to milliseconds). */
    private static final long FREE_TIMEOUT_SECONDS = 10;
    /** How long close waits, past its deadline, for threads told to stop to end. */
    private static final Duration THREAD_EXIT_GRACE = Duration.ofSeconds(1);

    /** Every thread this runtime starts, named "pinn-N-…". */
    private final RuntimeThreads threads;
    private final WorkerPool workers;
    private final ExecutorService loader;
    /** Frees models whose last reference is gone, off the request threads (see {@link LoadedModel}). */
    private final ExecutorService freer;
    private final Backend cpuBackend;
    /** The CUDA backend when the probe found a usable GPU, else null. */
    private final CudaBackend gpuBackend;
    /** The probe's one line: the device, or why there is none. */
    private final String gpuStatus;
    /** The probe's reason label, {@code none} when it found a GPU. */
    private final String gpuProbeReason;
    private final AtomicBoolean gpuLossLogged = new AtomicBoolean();
    private final SelfCheck selfCheck;
    private final PinnMetrics metrics;
    private final UnaryOperator<List<PricingEngine>> chainCustomiser;
    private final AtomicReference<LoadedModel> current = new AtomicReference<>();
    private final ModelCache cache;
    private final Duration closeTimeout;
    private final AtomicLong inFlight = new AtomicLong();
    private volatile boolean closed;

    private PinnRuntime(Builder b, ModelFile initialModel, String initialName) {
        this.threads = new RuntimeThreads("pinn-" + RUNTIME_NUMBERS.incrementAndGet() + "-");
        this.cpuBackend = new VectorBackend(1);
        CudaProbe.Outcome gpu = !b.gpu ? new CudaProbe.Unusable(CudaProbe.Reason.DISABLED, "switched off by PinnRuntime.Builder.gpu(false)")
                : b.cudaLibraries == null ? CudaProbe.probe()
                : new CudaProbe(b.cudaLibraries, CudaProbe.Options.fromSystemProperties()).run();
        if (gpu instanceof CudaProbe.Usable usable) {
            this.gpuBackend = usable.backend();
            this.gpuStatus = usable.logLine();
            this.gpuProbeReason = NO_REASON;
        } else {
            CudaProbe.Unusable unusable = (CudaProbe.Unusable) gpu;
            this.gpuBackend = null;
            this.gpuStatus = unusable.logLine();
            this.gpuProbeReason = unusable.reason().label();
        }
        LOG.log(System.Logger.Level.INFO, gpuStatus);
        this.workers = new WorkerPool(b.threads, threads);
        this.loader = threads.singleThread("model-loader");
        this.freer = threads.singleThread("model-freer");
        this.selfCheck = b.selfCheck;
        this.chainCustomiser = b.chainCustomiser;
        this.closeTimeout = b.closeTimeout;
        this.metrics = new PinnMetrics(b.registry, this::cachedModelCount, this::gpuReason);
        ModelLoader modelLoader = b.modelDirectory == null ? b.modelLoader
                : new DirectoryModelLoader(b.modelDirectory, b.trainMissingModels, metrics::trainingFinished);
        this.cache = new ModelCache(b.cacheCapacity, modelLoader, file -> open("cached", file), loader, metrics);
        current.set(open(initialName, initialModel));
    }

    /** A runtime with the default model and default settings. */
    public static PinnRuntime open() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---- pricing ----

    /** One option with price and Greeks; see {@link #price(OptionType, double, double, double, double, double, Outputs)}. */
    public PricedOption price(OptionType type, double spot, double strike, double expiry, double rate, double vol) {
        return price(type, spot, strike, expiry, rate, vol, Outputs.PRICE_AND_GREEKS);
    }

    /**
     * One option on the current model, priced on the calling thread.
     *
     * @param spot S, currency, finite and &gt; 0
     * @param strike K, currency, finite and &gt; 0
     * @param expiry τ, years, finite and &gt; 0
     * @param rate r, decimal per year, finite
     * @param vol σ, decimal per √year, finite and &gt; 0
     * @throws InvalidInputException naming the first invalid field
     * @throws IllegalStateException once the runtime is closed
     */
    public PricedOption price(OptionType type, double spot, double strike, double expiry, double rate, double vol, Outputs outputs) {
        PricedBatch out = new PricedBatch(1);
        priceInto(type, spot, strike, expiry, rate, vol, outputs, out, 0);
        return out.get(0);
    }

    /**
     * As {@link #price(OptionType, double, double, double, double, double, Outputs)}, stored at
     * {@code index} of {@code out} instead of returned: with a reused {@code out} this allocates
     * nothing, for callers who count every microsecond.
     */
    public void priceInto(OptionType type, double spot, double strike, double expiry, double rate, double vol, Outputs outputs,
                          PricedBatch out, int index) {
        OptionBatch.check(type, spot, strike, expiry, rate, vol, -1);
        Objects.checkIndex(index, out.size());
        enter();
        LoadedModel model = acquireCurrent();
        try {
            model.chain().priceOne(type, spot, strike, expiry, rate, vol, outputs.greeks(), out, index);
        } finally {
            model.release();
            exit();
        }
    }

    /** A batch with price and Greeks on the current model. */
    public PricedBatch price(OptionBatch batch) {
        return price(batch, Outputs.PRICE_AND_GREEKS);
    }

    /** A batch on the current model, in parallel on the runtime's workers when it is large. */
    public PricedBatch price(OptionBatch batch, Outputs outputs) {
        PricedBatch out = new PricedBatch(batch.size());
        enter();
        LoadedModel model = acquireCurrent();
        try {
            model.chain().price(batch, outputs.greeks(), out, workers.pool());
        } finally {
            model.release();
            exit();
        }
        return out;
    }

    /**
     * A batch on the model {@code spec} describes, from the model cache. If that model is not
     * ready (its load or training is started, once, in the background), the batch is priced by the
     * analytic formula and tagged {@link FallbackReason#MODEL_UNAVAILABLE}: a miss never blocks.
     */
    public PricedBatch price(ModelSpec spec, OptionBatch batch, Outputs outputs) {
        PricedBatch out = new PricedBatch(batch.size());
        enter();
        try {
            LoadedModel model = cache.acquireIfReady(spec);
            if (model == null) {
                current.get().chain().priceAnalytically(batch, out, FallbackReason.MODEL_UNAVAILABLE);
                return out;
            }
            try {
                model.chain().price(batch, outputs.greeks(), out, workers.pool());
            } finally {
                model.release();
            }
        } finally {
            exit();
        }
        return out;
    }

    /** {@link #price(OptionType, double, double, double, double, double, Outputs)} on a runtime worker. */
    public CompletableFuture<PricedOption> priceAsync(OptionType type, double spot, double strike, double expiry, double rate, double vol,
                                                      Outputs outputs) {
        return async(() -> price(type, spot, strike, expiry, rate, vol, outputs));
    }

    /** {@link #price(OptionBatch, Outputs)} on the runtime's workers. */
    public CompletableFuture<PricedBatch> priceAsync(OptionBatch batch, Outputs outputs) {
        return async(() -> price(batch, outputs));
    }

    private <T> CompletableFuture<T> async(java.util.function.Supplier<T> task) {
        if (closed) return CompletableFuture.failedFuture(new IllegalStateException("the pricing runtime is closed"));
        try {
            return CompletableFuture.supplyAsync(task, workers.pool());
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("the pricing runtime is closed", e));
        }
    }

    // ---- models ----

    /** The model new requests use. */
    public ModelInfo currentModel() {
        LoadedModel model = acquireCurrent();
        try {
            return ModelInfo.of(model.name(), model.file());
        } finally {
            model.release();
        }
    }

    /**
     * Makes {@code file} the current model, atomically: requests already running finish on the
     * old model, new ones use the new one, and the old model's memory is freed when its last
     * request is done. Swapping back to the previous file is the rollback.
     *
     * @param name what {@link #currentModel()} and metrics call it, e.g. the file name
     */
    public ModelInfo swapModel(String name, ModelFile file) {
        enter();
        try {
            LoadedModel replacement = open(name, file);
            LoadedModel previous = current.getAndSet(replacement);
            if (previous != null) previous.retire();
            return ModelInfo.of(name, file);
        } finally {
            exit();
        }
    }

    /** The models the cache holds ready, least recently used first. */
    public List<ModelSpec> cachedModels() {
        return cache.readySpecs();
    }

    /** Waits for the model of {@code spec} to be loaded into the cache (pricing never needs this). */
    public CompletableFuture<Void> preload(ModelSpec spec) {
        return cache.whenReady(spec).thenApply(model -> null);
    }

    public CacheStatistics cacheStatistics() {
        return cache.statistics();
    }

    /** Empties the model cache; models still in use are freed when their requests finish. */
    public void clearCache() {
        cache.clear();
    }

    /** The metrics this runtime records (registered in the builder's registry). */
    public PinnMetrics metrics() {
        return metrics;
    }

    /**
     * Which engines price, and why the GPU engine does not when it does not, e.g. "pinn-cpu: … on 2
     * worker threads; CUDA backend unavailable (no-driver): libcuda.so.1 not found".
     */
    public String engineReport() {
        String gpu = gpuBackend != null && !gpuUsable()
                ? "CUDA backend lost (" + GPU_LOST + "): " + gpuBackend.failure().map(Throwable::getMessage).orElse("") : gpuStatus;
        return "pinn-cpu: " + cpuBackend + " on " + workers.pool().getParallelism() + " worker threads; " + gpu;
    }

    /**
     * Whether the GPU engine leads: the probe found a GPU and it has not failed since (after a
     * device fault the backend refuses every call for good). Logs the loss, once.
     */
    private boolean gpuUsable() {
        if (gpuBackend == null) return false;
        Optional<CudaException> failure = gpuBackend.failure();
        if (failure.isEmpty()) return true;
        if (gpuLossLogged.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "CUDA backend lost (" + GPU_LOST + "): " + failure.get().getMessage()
                    + "; the CPU engine leads from now on");
        }
        return false;
    }

    /** Why the GPU engine does not lead, as a metric label: {@code none} when it does. */
    private String gpuReason() {
        if (gpuBackend == null) return gpuProbeReason;
        return gpuUsable() ? NO_REASON : GPU_LOST;
    }

    /** The network on each backend (GPU first when there is one), their engines, and the chain over them. */
    private LoadedModel open(String name, ModelFile file) {
        List<PricingNetwork> networks = new ArrayList<>();
        List<NetworkEngine> engines = new ArrayList<>();
        try {
            if (gpuUsable()) {
                networks.add(PricingNetwork.fromModelFile(gpuBackend, file));
                engines.add(new NetworkEngine(Engine.PINN_CUDA, networks.getLast(), this::gpuUsable));
            }
            networks.add(PricingNetwork.fromModelFile(cpuBackend, file));
            engines.add(new NetworkEngine(Engine.PINN_CPU, networks.getLast()));
        } catch (RuntimeException e) {
            engines.forEach(NetworkEngine::close);
            networks.forEach(PricingNetwork::close);
            throw e;
        }
        List<PricingEngine> chainEngines = chainCustomiser.apply(new ArrayList<>(engines));
        FallbackChain chain = new FallbackChain(chainEngines, file.domain(), selfCheck, metrics);
        return new LoadedModel(name, file, networks, engines, chain, freer);
    }

    private double cachedModelCount() {
        ModelCache c = cache;
        return c == null ? 0 : c.statistics().size();
    }

    private LoadedModel acquireCurrent() {
        while (true) {
            LoadedModel model = current.get();
            if (model == null) throw new IllegalStateException("the pricing runtime is closed");
            if (model.tryAcquire()) return model;
            // swapped and freed between the read and the acquire: read the new one
        }
    }

    // ---- lifecycle ----

    private void enter() {
        inFlight.incrementAndGet();
        if (closed) {
            inFlight.decrementAndGet();
            throw new IllegalStateException("the pricing runtime is closed");
        }
    }

    private void exit() {
        inFlight.decrementAndGet();
    }

    /**
     * Stops accepting work, waits up to the close timeout for work in flight, frees the models and
     * returns once the runtime's threads have ended (then closes the backends their buffers live
     * on). Closing twice is harmless.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        long deadline = System.nanoTime() + closeTimeout.toNanos();
        try {
            // Polled rather than signalled: the hot path only increments and decrements a counter, and
            // close is rare enough that a 1 ms poll until the deadline costs nothing worth a lock.
            while (inFlight.get() > 0 && System.nanoTime() < deadline) Thread.sleep(1);
            long left = Math.max(0, deadline - System.nanoTime());
            workers.shutdown(left, TimeUnit.NANOSECONDS);
            loader.shutdownNow();
            loader.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            workers.close();
            cache.close();
            LoadedModel model = current.getAndSet(null);
            if (model != null) model.retire();
            finishFrees();
            awaitThreadsEnded(deadline);
            cpuBackend.close();
            if (gpuBackend != null) gpuBackend.close();
        }
    }

    /**
     * Lets the frees queued so far run to the end, before the backends they free on close; a model
     * released later (by a request that outlived the close timeout) is freed on its own thread.
     */
    private void finishFrees() {
        freer.shutdown();
        try {
            if (!freer.awaitTermination(FREE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "models were still being freed " + FREE_TIMEOUT_SECONDS + " s after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits for the runtime's threads to end (workers free their buffers as they end), past the
     * close deadline by at most {@link #THREAD_EXIT_GRACE}: a thread told to stop ends in
     * microseconds unless it is still in a batch that outlived the close timeout.
     */
    private void awaitThreadsEnded(long deadline) {
        try {
            List<String> alive = threads.join(Math.max(deadline, System.nanoTime() + THREAD_EXIT_GRACE.toNanos()));
            if (!alive.isEmpty()) LOG.log(System.Logger.Level.WARNING, "threads still running after close: " + String.join(", ", alive));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until every free queued so far has run (for tests that count native bytes). */
    void awaitQueuedFrees() throws InterruptedException, java.util.concurrent.ExecutionException {
        freer.submit(() -> { }).get();
    }

    /** The start of the names of this runtime's threads, e.g. "pinn-1-" (workers "pinn-1-worker-0", loader "pinn-1-model-loader", freer "pinn-1-model-freer"). */
    public String threadNamePrefix() {
        return threads.namePrefix();
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed;
    }

    /** Settings of a runtime; every one has a default. */
    public static final class Builder {
        private ModelFile model;
        private String modelName = "default";
        private int threads = Runtime.getRuntime().availableProcessors();
        private SelfCheck selfCheck = SelfCheck.DEFAULT;
        private PrometheusRegistry registry = new PrometheusRegistry();
        private ModelLoader modelLoader = spec -> {
            throw new IllegalStateException("no model loader is configured for " + spec.fileName());
        };
        private int cacheCapacity = 8;
        private Duration closeTimeout = Duration.ofSeconds(10);
        private UnaryOperator<List<PricingEngine>> chainCustomiser = UnaryOperator.identity();
        private boolean gpu = true;
        private CudaLibraries cudaLibraries;
        private Path modelDirectory;
        private boolean trainMissingModels;

        private Builder() {}

        /** The model to price with (default: the model shipped in the runtime's resources). */
        public Builder model(String name, ModelFile file) {
            this.modelName = Objects.requireNonNull(name, "name");
            this.model = Objects.requireNonNull(file, "file");
            return this;
        }

        /** The model in {@code path}, read and checked now. */
        public Builder modelFile(Path path) {
            try {
                return model(path.getFileName().toString(), ModelFile.read(path));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the model " + path + ": " + e.getMessage(), e);
            }
        }

        /** Worker threads for batches and asynchronous calls (default: one per core). */
        public Builder threads(int threads) {
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, was " + threads);
            this.threads = threads;
            return this;
        }

        public Builder selfCheck(SelfCheck selfCheck) {
            this.selfCheck = Objects.requireNonNull(selfCheck, "selfCheck");
            return this;
        }

        /** Where the metrics are registered (default: a registry of the runtime's own). */
        public Builder metricsRegistry(PrometheusRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** How the model cache gets a model it misses (default: none; every cache lookup then prices analytically). */
        public Builder modelLoader(ModelLoader loader) {
            this.modelLoader = Objects.requireNonNull(loader, "loader");
            this.modelDirectory = null;
            return this;
        }

        /**
         * Makes the model cache read models from {@code directory}, each under its
         * {@link ModelSpec#fileName()}, and, with {@code trainWhenMissing}, train a missing one with
         * the default training settings (minutes, in the background; the analytic formula serves
         * meanwhile) and write it there. Replaces {@link #modelLoader}.
         */
        public Builder modelDirectory(Path directory, boolean trainWhenMissing) {
            this.modelDirectory = Objects.requireNonNull(directory, "directory");
            this.trainMissingModels = trainWhenMissing;
            return this;
        }

        /** The most models the cache holds (default 8). */
        public Builder cacheCapacity(int capacity) {
            if (capacity < 1) throw new IllegalArgumentException("cache capacity must be >= 1, was " + capacity);
            this.cacheCapacity = capacity;
            return this;
        }

        /** How long {@link #close()} waits for work in flight (default 10 s). */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Rewrites each model's list of network engines (the analytic formula always follows):
         * for instrumentation, and for tests that inject failures.
         */
        public Builder chain(UnaryOperator<List<PricingEngine>> customiser) {
            this.chainCustomiser = Objects.requireNonNull(customiser, "customiser");
            return this;
        }

        /**
         * Whether to probe for a CUDA GPU and put its engine first in the chain (default true; the
         * system property {@code -Dpinn.cuda=off} also switches it off). Without a usable GPU the
         * CPU engine leads and {@link PinnRuntime#engineReport()} says why.
         */
        public Builder gpu(boolean probe) {
            this.gpu = probe;
            return this;
        }

        /** Probes {@code libraries} instead of this machine's: tests run the runtime on {@link pinn.kernels.cuda.EmulatedCuda}. */
        Builder cudaLibraries(CudaLibraries libraries) {
            this.cudaLibraries = Objects.requireNonNull(libraries, "libraries");
            return this;
        }

        /** Opens the runtime: loads the model and starts the threads. */
        public PinnRuntime build() {
            ModelFile file = model;
            if (file == null) {
                try {
                    file = DefaultModel.file();
                } catch (IOException e) {
                    throw new UncheckedIOException(e.getMessage(), e);
                }
            }
            return new PinnRuntime(this, file, modelName);
        }
    }
}
