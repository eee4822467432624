package pinn.runtime.service;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import pinn.runtime.engine.PinnRuntime;

/**
 * The HTTP pricing service: a {@link PinnRuntime} behind Netty's HTTP/1.1 codec, JSON in and out
 * through Jackson, and one Prometheus registry for the runtime's metrics and the server's own.
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><td>{@code POST /v1/price}</td><td>price and Greeks of one option or a batch ({@link PriceRequest}, {@link PriceResponse})</td></tr>
 *   <tr><td>{@code GET /healthz}</td><td>{@code {"status": "ok", "model": ...}}; 503 while shutting down</td></tr>
 *   <tr><td>{@code GET /v1/models}</td><td>the current model and the cached ones, with domains and training metadata</td></tr>
 *   <tr><td>{@code POST /v1/models}</td><td>admin: {@code {"name": "file.pinn"}} from the models directory becomes the current model</td></tr>
 *   <tr><td>{@code DELETE /v1/cache}</td><td>admin: empties the model cache</td></tr>
 *   <tr><td>{@code GET /metrics}</td><td>Prometheus text format</td></tr>
 * </table>
 *
 * Every refusal is a JSON {@link ErrorBody} naming the field and the reason; anything unexpected
 * is logged here with its stack trace and answered 500 with a reference number only. Bodies over
 * {@link ServiceConfig#maxBodyBytes()} and batches over {@link ServiceConfig#maxOptions()} are
 * answered 413, wrong methods 405 with {@code Allow}, unknown paths 404.
 *
 * <p>Threads: a few event-loop threads ({@code pinn-http-io-*}, one per processor unless
 * {@link ServiceConfig#ioThreads()} says otherwise) on the native epoll transport where it is
 * available (Linux), else on NIO. They read requests, price single options and small batches
 * where they are (a thread hand-off would cost more than the pricing) and write the answers; large
 * batches and admin requests that read files run on a few work threads ({@code pinn-http-work-*}),
 * their answers written back on the connection's event loop. {@link ServiceRoutes} has the
 * endpoints, {@link HttpConnection} the HTTP mechanics of one connection; this class starts and
 * stops them.
 *
 * <p>{@link #close()} drains: it stops accepting connections, lets requests in flight finish (up
 * to the drain timeout), closes the connections, stops the threads and closes the runtime.
 */
public final class PricingServer implements AutoCloseable {

    static {
        NettyLogging.installWhereNeeded();   // before any Netty class logs
    }

    private static final System.Logger LOG = System.getLogger(PricingServer.class.getName());
    /** {@code -Dpinn.http.transport=nio} forces the NIO transport where epoll is available. */
    static final String TRANSPORT_PROPERTY = "pinn.http.transport";
    /**
     * Bounds each step of a shutdown beyond the drain: closing the listener and the connections,
     * the work threads' overrun, the event loops' stop (twice this) and the threads' ends. With the
     * drain and the runtime's close (both the drain timeout) a close takes at most 2 × drain + 6 s.
     */
    private static final long STOP_MILLIS = 1_000;

    private final ServiceConfig config;
    private final PrometheusRegistry registry;
    private final PinnRuntime runtime;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final InFlightRequests inFlight = new InFlightRequests();
    private final ServerThreads threads = new ServerThreads();
    private final String transport;
    private final EventLoopGroup loops;
    private final ExecutorService work;
    private final ChannelGroup connections;
    private final Channel listener;

    private PricingServer(ServiceConfig config, PrometheusRegistry registry, PinnRuntime runtime) throws IOException {
        this.config = config;
        this.registry = registry;
        this.runtime = runtime;
        ServiceMetrics metrics = new ServiceMetrics(registry);
        ServiceRoutes routes = new ServiceRoutes(config, registry, runtime, closing);
        boolean epoll = epollWanted();
        this.transport = epoll ? "epoll" : "nio";
        this.loops = new MultiThreadIoEventLoopGroup(config.effectiveIoThreads(), threads.factory("pinn-http-io"),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.work = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), threads.factory("pinn-http-work"));
        this.connections = new DefaultChannelGroup("pinn-http-connections", loops.next());
        Class<? extends ServerChannel> channel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap bootstrap = new ServerBootstrap().group(loops).channel(channel)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)   // an answer is one write: nothing to coalesce, and a delayed ACK would hold it back
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        HttpConnection connection = new HttpConnection(routes, metrics, inFlight, work, closing);
                        ch.pipeline().addLast(new HttpServerCodec(), new BodyLimit(config.maxBodyBytes(), connection), connection);
                    }
                });
        ChannelFuture bound = bootstrap.bind(config.address()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            stopThreads(System.nanoTime());
            Throwable cause = bound.cause();
            throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause.getMessage()), cause);
        }
        this.listener = bound.channel();
    }

    /** Epoll unless it is unavailable here (not Linux, no native library) or {@value #TRANSPORT_PROPERTY} says nio. */
    private static boolean epollWanted() {
        if ("nio".equals(System.getProperty(TRANSPORT_PROPERTY, "").toLowerCase(Locale.ROOT))) return false;
        if (Epoll.isAvailable()) return true;
        LOG.log(Level.DEBUG, "native epoll is unavailable, using NIO: " + Epoll.unavailabilityCause());
        return false;
    }

    /** Starts a server on a runtime with the default model. */
    public static PricingServer start(ServiceConfig config) {
        return start(config, PinnRuntime.builder());
    }

    /**
     * Starts a server on the runtime {@code runtimeBuilder} builds, after pointing its metrics at
     * the server's registry (and, with a models directory, its model cache's loader at that
     * directory). The server owns the runtime and closes it.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static PricingServer start(ServiceConfig config, PinnRuntime.Builder runtimeBuilder) {
        PrometheusRegistry registry = new PrometheusRegistry();
        runtimeBuilder.metricsRegistry(registry).closeTimeout(config.drainTimeout());
        Path directory = config.modelsDirectory();
        if (directory != null) runtimeBuilder.modelDirectory(directory, false);
        PinnRuntime runtime = runtimeBuilder.build();
        try {
            return new PricingServer(config, registry, runtime);
        } catch (IOException e) {
            runtime.close();
            throw new UncheckedIOException("cannot listen on " + config.address().getHostString() + ":" + config.address().getPort() + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            runtime.close();
            throw e;
        }
    }

    /** The port the server listens on (the one chosen when the configuration said 0). */
    public int port() {
        return ((java.net.InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The network transport: {@code "epoll"} (Linux native) or {@code "nio"}. */
    public String transport() {
        return transport;
    }

    /** The number of event-loop threads. */
    public int ioThreads() {
        return config.effectiveIoThreads();
    }

    /** The registry {@code /metrics} exposes: the runtime's metrics and the server's. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** The runtime the server prices with. */
    public PinnRuntime runtime() {
        return runtime;
    }

    /** Requests being handled now: from their head being read to their answer having been written. */
    public int requestsInFlight() {
        return inFlight.count();
    }

    /** Whether {@link #close()} has begun. */
    public boolean isClosing() {
        return closing.get();
    }

    /**
     * Drains and stops: no new connections are accepted, requests in flight finish (for up to the
     * drain timeout; answers written meanwhile say {@code Connection: close}), then every connection
     * closes, the event loops and work threads stop and the runtime closes. Closing twice is harmless.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) return;
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        boolean interrupted = false;
        try {
            listener.close().awaitUninterruptibly(STOP_MILLIS);
            if (!inFlight.awaitNone(deadline)) {
                LOG.log(Level.WARNING, inFlight.count() + " request(s) still in flight after the drain timeout of " + config.drainTimeout()
                        + "; closing their connections");
            }
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            connections.close().awaitUninterruptibly(STOP_MILLIS);
            interrupted |= stopThreads(deadline);
            runtime.close();
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the work threads (waiting until {@code deadline} for deferred work, then interrupting
     * it) and the event loops, and waits a bounded time for every thread to end.
     *
     * @return whether the wait was interrupted
     */
    private boolean stopThreads(long deadline) {
        boolean interrupted = false;
        work.shutdown();
        try {
            long left = Math.max(0, deadline - System.nanoTime());
            if (!work.awaitTermination(left + TimeUnit.MILLISECONDS.toNanos(STOP_MILLIS), TimeUnit.NANOSECONDS)) work.shutdownNow();
        } catch (InterruptedException e) {
            work.shutdownNow();
            interrupted = true;
        }
        loops.shutdownGracefully(0, STOP_MILLIS, TimeUnit.MILLISECONDS).awaitUninterruptibly(2 * STOP_MILLIS);
        try {
            if (!threads.join(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_MILLIS))) {
                LOG.log(Level.WARNING, "some of the server's threads did not stop within " + STOP_MILLIS + " ms");
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        return interrupted;
    }
}
