package pinn.runtime.cli;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import pinn.runtime.engine.PinnRuntime;
import pinn.runtime.service.PricingServer;
import pinn.runtime.service.ServiceConfig;

/**
 * {@code ./pinn serve}: the HTTP pricing service on the default model (or {@code --model FILE}), until SIGTERM (or Ctrl-C),
 * which drains it: no new connections, requests in flight finish, the runtime closes, exit 0.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = {
        "Run the HTTP pricing service: POST /v1/price, GET /healthz, GET /v1/models, GET /metrics,",
        "and the admin endpoints POST /v1/models and DELETE /v1/cache (Authorization: Bearer $PINN_ADMIN_TOKEN;",
        "disabled when PINN_ADMIN_TOKEN is not set). SIGTERM drains requests in flight and exits 0."})
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--port", paramLabel = "PORT", description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int port = 8080;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "address to listen on (default: ${DEFAULT-VALUE}, loopback only)")
    String bind = "127.0.0.1";

    @Option(names = "--model", paramLabel = "FILE", description = "model file to serve, e.g. from ./pinn train (default: the shipped default model)")
    Path model;

    @Option(names = "--models", paramLabel = "DIR", description = "directory POST /v1/models loads model files from (default: none)")
    Path models;

    @Option(names = "--drain-seconds", paramLabel = "S", description = "how long SIGTERM waits for requests in flight (default: ${DEFAULT-VALUE})")
    int drainSeconds = (int) ServiceConfig.DEFAULT_DRAIN_TIMEOUT.toSeconds();

    @Option(names = "--io-threads", paramLabel = "N",
            description = "event-loop threads, which read requests, price single options and small batches, and write answers;"
                    + " 0: one per available processor (default)")
    int ioThreads = 0;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be within 0-65535, was " + port);
        if (drainSeconds < 0) throw new IllegalArgumentException("--drain-seconds must be >= 0, was " + drainSeconds);
        if (ioThreads < 0) throw new IllegalArgumentException("--io-threads must be >= 0, was " + ioThreads);
        if (models != null && !Files.isDirectory(models)) throw new IllegalArgumentException("--models " + models + " is not a directory");
        String token = System.getenv("PINN_ADMIN_TOKEN");
        ServiceConfig config = ServiceConfig.loopback(port).withDrainTimeout(Duration.ofSeconds(drainSeconds)).withModelsDirectory(models)
                .withAdminToken(token == null || token.isBlank() ? null : token).withIoThreads(ioThreads);
        config = new ServiceConfig(new InetSocketAddress(bind, port), config.modelsDirectory(), config.adminToken(), config.drainTimeout(),
                config.ioThreads(), config.maxOptions(), config.maxBodyBytes());

        PinnRuntime.Builder runtime = PinnRuntime.builder();
        if (model != null) runtime.modelFile(model);
        PricingServer server = PricingServer.start(config, runtime);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> drain(server, stopped), "pinn-serve-shutdown"));
        System.out.println("pinn serve: listening on http://" + bind + ":" + server.port() + " (model " + server.runtime().currentModel().name()
                + "; admin endpoints " + (config.adminToken() == null ? "disabled: PINN_ADMIN_TOKEN is not set" : "enabled")
                + (models == null ? "" : "; models from " + models) + "; " + server.transport() + " transport, " + server.ioThreads()
                + " I/O thread(s))");
        System.out.flush();
        stopped.await();   // until the shutdown hook has drained; it then ends the process itself
        return 0;
    }

    /**
     * The shutdown hook: drains the server and closes the runtime, then halts with status 0 (a JVM
     * ended by SIGTERM otherwise reports 143 although it shut down cleanly); 1 if the drain failed.
     */
    private static void drain(PricingServer server, CountDownLatch stopped) {
        int status = 0;
        try {
            System.err.println("pinn serve: shutting down; draining " + server.requestsInFlight() + " request(s) in flight");
            server.close();
            System.err.println("pinn serve: stopped");
        } catch (Throwable t) {
            System.err.println("pinn serve: shutdown failed: " + t);
            status = 1;
        } finally {
            stopped.countDown();
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(status);
        }
    }
}
