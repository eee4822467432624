package pinn.runtime.service;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link PricingServer} runs.
 *
 * @param address where it listens; port 0 picks a free port ({@link PricingServer#port()} tells which)
 * @param modelsDirectory where {@code POST /v1/models} loads models from, or null for none
 * @param adminToken the bearer token of the admin endpoints, or null to disable them (403)
 * @param drainTimeout how long a shutdown waits for requests in flight before closing connections
 * @param ioThreads the event-loop threads that accept connections, read requests, price single
 *     options and small batches and write answers; 0 (the default) for one per available processor
 * @param maxOptions the most options one request may price (larger arrays: 413)
 * @param maxBodyBytes the largest request body (larger: 413)
 */
public record ServiceConfig(InetSocketAddress address, Path modelsDirectory, String adminToken, Duration drainTimeout,
                            int ioThreads, int maxOptions, int maxBodyBytes) {

    /** The most options one request may price. */
    public static final int DEFAULT_MAX_OPTIONS = 100_000;
    /** The largest request body: 1 MiB. */
    public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;
    /** How long a shutdown waits for requests in flight. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(10);

    public ServiceConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        if (drainTimeout.isNegative()) throw new IllegalArgumentException("the drain timeout must be >= 0, was " + drainTimeout);
        if (ioThreads < 0) throw new IllegalArgumentException("I/O threads must be >= 0, was " + ioThreads);
        if (maxOptions < 1) throw new IllegalArgumentException("max options must be >= 1, was " + maxOptions);
        if (maxBodyBytes < 1) throw new IllegalArgumentException("max body bytes must be >= 1, was " + maxBodyBytes);
    }

    /** Loopback on {@code port}, no models directory, admin disabled, the default limits. */
    public static ServiceConfig loopback(int port) {
        return new ServiceConfig(new InetSocketAddress("127.0.0.1", port), null, null, DEFAULT_DRAIN_TIMEOUT, 0, DEFAULT_MAX_OPTIONS,
                DEFAULT_MAX_BODY_BYTES);
    }

    public ServiceConfig withModelsDirectory(Path directory) {
        return new ServiceConfig(address, directory, adminToken, drainTimeout, ioThreads, maxOptions, maxBodyBytes);
    }

    public ServiceConfig withAdminToken(String token) {
        return new ServiceConfig(address, modelsDirectory, token, drainTimeout, ioThreads, maxOptions, maxBodyBytes);
    }

    public ServiceConfig withDrainTimeout(Duration timeout) {
        return new ServiceConfig(address, modelsDirectory, adminToken, timeout, ioThreads, maxOptions, maxBodyBytes);
    }

    /** @param threads event-loop threads; 0 for one per available processor */
    public ServiceConfig withIoThreads(int threads) {
        return new ServiceConfig(address, modelsDirectory, adminToken, drainTimeout, threads, maxOptions, maxBodyBytes);
    }

    /** The event-loop threads to start: {@link #ioThreads()}, or one per available processor when that is 0. */
    public int effectiveIoThreads() {
        return ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "ServiceConfig[address=" + address + ", modelsDirectory=" + modelsDirectory + ", admin=" + (adminToken == null ? "disabled" : "enabled")
                + ", drainTimeout=" + drainTimeout + ", ioThreads=" + ioThreads + ", maxOptions=" + maxOptions
                + ", maxBodyBytes=" + maxBodyBytes + "]";
    }
}
