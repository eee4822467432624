package pinn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import pinn.runtime.DefaultModel;
import pinn.runtime.cli.Main;
import pinn.runtime.service.PricingServer;

/**
 * The Dockerfile and the Kubernetes manifests (deploy/k8s) against the server's real ports,
 * paths and behaviour. No container engine or cluster is needed: the YAML is parsed and compared,
 * and the image's own command is run here, on the image's module set.
 *
 * <ul>
 *   <li>every manifest parses, and the port is one number everywhere: the server's default
 *       ({@code pinn serve --help}), the image's EXPOSE, CMD and HEALTHCHECK, the Deployment's
 *       args, container port, probes and scrape annotation, the Services' target ports, the
 *       Prometheus scrape configuration;
 *   <li>the image's ENTRYPOINT with the Deployment's args (only the bind address, port and models
 *       directory changed to loopback, an ephemeral port and a temporary directory) starts the
 *       real server on exactly the jlink modules ({@code --limit-modules}); it answers the probe
 *       path and the scrape path, its admin endpoints take the token from the environment variable
 *       the Deployment fills from the Secret, and SIGTERM ends it with status 0 well within the
 *       grace period;
 *   <li>the jlink module list is what jdeps finds on the runtime jar and its class path, less
 *       the two modules only code the server never runs needs;
 *   <li>the grace period covers the preStop sleep and the longest drain; resources, non-root user,
 *       labels and selectors agree; the HPA scales the Deployment on CPU.
 * </ul>
 */
class DeployManifestsTest {

    private static final Path ROOT = AlertRulesTest.repositoryRoot();
    private static final Path K8S = ROOT.resolve("deploy/k8s");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** Modules jdeps finds that the image leaves out, each with the reason the server never needs it. */
    private static final Map<String, String> LEFT_OUT = Map.of(
            "java.desktop", "xchart's heat maps for `pinn accuracy --plot` (pinn.runtime.accuracy), not loaded by `pinn serve`",
            "java.sql", "jackson-databind's optional java.sql date support (requires static), not loaded for the service's JSON",
            "java.naming", "netty-handler's TLS trust manager (javax.naming for certificate names), not loaded: the service speaks plain HTTP",
            "jdk.jfr", "Netty's optional flight-recorder events for its buffer allocator, switched off when the module is absent");

    private static List<JsonNode> manifests;
    private static Dockerfile dockerfile;
    private static JsonNode deployment;
    private static JsonNode container;

    /** The Dockerfile's instructions, continuation lines joined and comments dropped. */
    record Dockerfile(List<String> instructions) {

        static Dockerfile read(Path path) throws IOException {
            List<String> instructions = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : Files.readAllLines(path)) {
                String stripped = line.strip();
                if (stripped.startsWith("#") || (stripped.isEmpty() && current.isEmpty())) continue;
                if (stripped.endsWith("\\")) {
                    current.append(stripped, 0, stripped.length() - 1).append(' ');
                    continue;
                }
                current.append(stripped);
                instructions.add(current.toString().strip());
                current.setLength(0);
            }
            if (!current.isEmpty()) instructions.add(current.toString().strip());
            return new Dockerfile(instructions);
        }

        /** The arguments of every instruction {@code keyword} (e.g. EXPOSE), in order. */
        List<String> all(String keyword) {
            return instructions.stream().filter(i -> i.regionMatches(true, 0, keyword + " ", 0, keyword.length() + 1))
                    .map(i -> i.substring(keyword.length() + 1).strip()).toList();
        }

        String only(String keyword) {
            List<String> found = all(keyword);
            assertEquals(1, found.size(), "the Dockerfile should have one " + keyword + ", has " + found);
            return found.getFirst();
        }

        /** An exec-form instruction's JSON array (ENTRYPOINT, CMD). */
        List<String> execForm(String keyword) throws IOException {
            String text = only(keyword);
            assertTrue(text.startsWith("["), keyword + " must be in exec form (a JSON array), so that Java is PID 1 and gets SIGTERM: " + text);
            return Arrays.asList(JSON.readValue(text, String[].class));
        }

        /** The modules of the jlink --add-modules option. */
        Set<String> jlinkModules() {
            Matcher m = Pattern.compile("jlink\\s.*--add-modules[ =](\\S+)").matcher(String.join("\n", all("RUN")));
            assertTrue(m.find(), "no RUN jlink --add-modules in the Dockerfile");
            return new TreeSet<>(List.of(m.group(1).split(",")));
        }
    }

    @BeforeAll
    static void readFiles() throws IOException {
        manifests = new ArrayList<>();
        try (Stream<Path> files = Files.list(K8S)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (var documents = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
                    while (documents.hasNext()) {
                        JsonNode document = documents.next();
                        if (document != null && !document.isEmpty()) manifests.add(document);
                    }
                }
            }
        }
        dockerfile = Dockerfile.read(ROOT.resolve("Dockerfile"));
        deployment = only("Deployment");
        JsonNode containers = deployment.at("/spec/template/spec/containers");
        assertEquals(1, containers.size(), "one container in the pod");
        container = containers.get(0);
    }

    private static List<JsonNode> ofKind(String kind) {
        return manifests.stream().filter(m -> kind.equals(m.path("kind").asText())).toList();
    }

    private static JsonNode only(String kind) {
        List<JsonNode> found = ofKind(kind);
        assertEquals(1, found.size(), "one " + kind + " in deploy/k8s");
        return found.getFirst();
    }

    /** The value after {@code option} in an argument list (e.g. "--port"). */
    private static String option(List<String> arguments, String option) {
        int i = arguments.indexOf(option);
        assertTrue(i >= 0 && i + 1 < arguments.size(), option + " missing from " + arguments);
        return arguments.get(i + 1);
    }

    private static List<String> deploymentArgs() {
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        return args;
    }

    /** The default of {@code pinn serve --port}, as the command line itself states it. */
    private static int serverDefaultPort() {
        PrintStream out = System.out;
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        int status;
        try {
            System.setOut(new PrintStream(help, true, StandardCharsets.UTF_8));
            status = Main.run("serve", "--help");
        } finally {
            System.setOut(out);
        }
        String text = help.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, text);
        Matcher m = Pattern.compile("--port=PORT\\s+[^(]*\\(default:\\s+(\\d+)\\)").matcher(text);
        assertTrue(m.find(), "pinn serve --help does not state the port's default:\n" + text);
        return Integer.parseInt(m.group(1));
    }

    /** A container port given by name or number, as a number. */
    private static int containerPort(JsonNode port) {
        if (port.isInt()) return port.asInt();
        for (JsonNode p : container.path("ports")) if (port.asText().equals(p.path("name").asText())) return p.path("containerPort").asInt();
        throw new AssertionError("the container has no port named " + port.asText());
    }

    @Test
    void everyManifestParsesAndNamesItsKindAndName() {
        Set<String> kinds = new TreeSet<>();
        for (JsonNode manifest : manifests) {
            assertFalse(manifest.path("apiVersion").asText().isEmpty(), "apiVersion missing: " + manifest);
            assertFalse(manifest.at("/metadata/name").asText().isEmpty(), "metadata.name missing: " + manifest);
            kinds.add(manifest.path("kind").asText());
        }
        assertEquals(new TreeSet<>(List.of("Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Secret", "Service")), kinds);
        assertEquals("apps/v1", deployment.path("apiVersion").asText());
    }

    @Test
    void thePortIsTheServersEverywhere() throws IOException {
        int port = serverDefaultPort();
        assertEquals(List.of(String.valueOf(port)), dockerfile.all("EXPOSE"), "EXPOSE");
        assertEquals(String.valueOf(port), option(dockerfile.execForm("CMD"), "--port"), "the image's CMD --port");
        assertEquals(String.valueOf(port), option(deploymentArgs(), "--port"), "the Deployment's --port");
        assertTrue(dockerfile.only("HEALTHCHECK").contains("/dev/tcp/127.0.0.1/" + port + " "), "HEALTHCHECK port");

        JsonNode ports = container.path("ports");
        assertEquals(1, ports.size());
        assertEquals(port, ports.get(0).path("containerPort").asInt(), "containerPort");
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            assertEquals(port, containerPort(container.path(probe).at("/httpGet/port")), probe + " port");
        }
        assertEquals(String.valueOf(port), deployment.at("/spec/template/metadata/annotations").path("prometheus.io/port").asText(),
                "the prometheus.io/port annotation");
        for (JsonNode service : ofKind("Service")) {
            for (JsonNode p : service.at("/spec/ports")) {
                assertEquals(port, containerPort(p.path("targetPort")), service.at("/metadata/name").asText() + " targetPort");
            }
        }
        JsonNode scrape = YAML.readTree(ROOT.resolve("deploy/prometheus/prometheus.yml").toFile()).path("scrape_configs").get(0);
        assertEquals(port, scrape.at("/dns_sd_configs/0/port").asInt(), "prometheus.yml scrape port");
    }

    @Test
    void theDeploymentRunsTheImagesCommandAndItsUser() throws IOException {
        assertEquals(dockerfile.execForm("CMD"), deploymentArgs(), "the Deployment's args should spell out the image's CMD");
        List<String> entrypoint = dockerfile.execForm("ENTRYPOINT");
        assertEquals("/opt/pinn/jre/bin/java", entrypoint.getFirst(), "the jlinked runtime runs the server");
        assertTrue(entrypoint.containsAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED")),
                "the JVM flags every module runs with (pinn.jvm.flags in the root pom): " + entrypoint);
        assertEquals(List.of("pinn.runtime.cli.Main", "serve"), entrypoint.subList(entrypoint.size() - 2, entrypoint.size()));
        assertEquals("0.0.0.0", option(dockerfile.execForm("CMD"), "--bind"), "inside a container the server must listen on all interfaces");

        String user = dockerfile.only("USER").split(":")[0];
        assertTrue(user.matches("\\d+") && Integer.parseInt(user) != 0, "the image runs as a numeric non-root user: " + user);
        JsonNode security = deployment.at("/spec/template/spec/securityContext");
        assertTrue(security.path("runAsNonRoot").asBoolean());
        assertEquals(Integer.parseInt(user), security.path("runAsUser").asInt(), "runAsUser = the image's USER");
        assertTrue(container.at("/securityContext/readOnlyRootFilesystem").asBoolean());
        boolean tmpMounted = false;
        for (JsonNode mount : container.path("volumeMounts")) tmpMounted |= "/tmp".equals(mount.path("mountPath").asText());
        assertTrue(tmpMounted, "a read-only root needs a writable /tmp for the JVM");
    }

    @Test
    void theProbesAndTheScrapeUseOnePathEach() throws IOException {
        Set<String> probePaths = new TreeSet<>();
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) probePaths.add(container.path(probe).at("/httpGet/path").asText());
        assertEquals(Set.of("/healthz"), probePaths, "the probes' paths");
        assertTrue(dockerfile.only("HEALTHCHECK").contains("GET /healthz HTTP/1.0"), "HEALTHCHECK path");
        String metricsPath = deployment.at("/spec/template/metadata/annotations").path("prometheus.io/path").asText();
        assertEquals("/metrics", metricsPath);
        assertEquals(metricsPath, YAML.readTree(ROOT.resolve("deploy/prometheus/prometheus.yml").toFile()).at("/scrape_configs/0/metrics_path").asText());
        // That the server answers on these paths is checked on the running server, below.
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void theImagesCommandServesTheProbeAndScrapePathsOnTheJlinkModulesAndDrainsOnSigterm(@TempDir Path dir) throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        DefaultModel.file().write(models.resolve("default.pinn"));
        String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));

        // ENTRYPOINT + the Deployment's args, with this machine's JDK and class path, on the image's modules only.
        List<String> entrypoint = dockerfile.execForm("ENTRYPOINT");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--limit-modules");
        command.add(String.join(",", dockerfile.jlinkModules()));
        for (int i = 1; i < entrypoint.size(); i++) {
            command.add(entrypoint.get(i));
            if (entrypoint.get(i).equals("-cp") || entrypoint.get(i).equals("-classpath")) {
                i++;
                command.add(String.join(File.pathSeparator, classPath()));
            }
        }
        List<String> args = new ArrayList<>(deploymentArgs());
        args.set(args.indexOf("--bind") + 1, "127.0.0.1");
        args.set(args.indexOf("--port") + 1, "0");
        args.set(args.indexOf("--models") + 1, models.toString());
        command.addAll(args);

        String tokenVariable = container.path("env").get(0).path("name").asText();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put(tokenVariable, token);
        Process process = builder.start();
        List<String> output = new ArrayList<>();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().daemon().name("pinn-serve-output").start(() -> {
            Pattern listening = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    synchronized (output) {
                        output.add(line);
                    }
                    Matcher m = listening.matcher(line);
                    if (m.find()) port.complete(Integer.parseInt(m.group(1)));
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IllegalStateException("the server exited before it listened"));
        });
        try {
            String base;
            try {
                base = "http://127.0.0.1:" + port.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("the image's command did not start the server: " + e + "\n" + String.join(" ", command) + "\n" + outputOf(output));
            }
            String probePath = container.path("readinessProbe").at("/httpGet/path").asText();
            HttpResponse<String> health = get(base + probePath);
            assertEquals(200, health.statusCode(), "GET " + probePath + ": " + health.body());
            assertEquals("ok", JSON.readTree(health.body()).path("status").asText(), health.body());

            assertEquals(200, post(base + "/v1/price", "{\"spot\": 105, \"strike\": 100, \"expiry\": 0.5, \"rate\": 0.03, \"vol\": 0.2, \"type\": \"call\"}")
                    .statusCode(), "pricing on the jlink modules");
            String metricsPath = deployment.at("/spec/template/metadata/annotations").path("prometheus.io/path").asText();
            HttpResponse<String> metrics = get(base + metricsPath);
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("pinn_http_requests_total{endpoint=\"/v1/price\",method=\"POST\",status=\"200\"} 1"), metrics.body());

            // The admin token reaches the server through the variable the Deployment sets from the Secret.
            HttpRequest.Builder clear = HttpRequest.newBuilder(URI.create(base + "/v1/cache")).DELETE().timeout(Duration.ofSeconds(10));
            assertEquals(200, CLIENT.send(clear.header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).statusCode(),
                    "DELETE /v1/cache with the token from " + tokenVariable);
            int refused = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/v1/cache")).DELETE().header("Authorization", "Bearer wrong").build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode();
            assertTrue(refused == 401 || refused == 403, "a wrong token must be refused, was answered " + refused);
            // A models-directory file can be swapped in by name (the rollback path).
            assertEquals(200, CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/v1/models"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"default.pinn\"}")).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "POST /v1/models default.pinn");

            // SIGTERM, as Kubernetes sends after the preStop hook: exit 0 well within the grace period.
            long start = System.nanoTime();
            process.destroy();
            int grace = deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asInt();
            assertTrue(process.waitFor(grace, TimeUnit.SECONDS), "still running " + grace + " s after SIGTERM\n" + outputOf(output));
            reader.join(5_000);
            assertEquals(0, process.exitValue(), "exit status after SIGTERM\n" + outputOf(output));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < grace / 2.0, "an idle server took " + seconds + " s to stop");
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String outputOf(List<String> output) {
        synchronized (output) {
            return "server output:\n" + String.join("\n", output);
        }
    }

    /** This JVM's class path, with a manifest-only jar (as Surefire may use) expanded to its entries. */
    private static List<String> classPath() throws IOException {
        Set<String> entries = new LinkedHashSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.isEmpty()) continue;
            entries.add(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(Path.of(entry))) {
                try (JarFile jar = new JarFile(entry)) {
                    Manifest manifest = jar.getManifest();
                    String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                    if (classPath != null && jar.size() <= 2) {
                        for (String url : classPath.trim().split("\\s+")) entries.add(Path.of(URI.create(url).isAbsolute() ? URI.create(url)
                                : Path.of(entry).getParent().toUri().resolve(url)).toString());
                    }
                }
            }
        }
        return List.copyOf(entries);
    }

    @Test
    void theJlinkModulesAreWhatJdepsFindsLessWhatTheServerNeverLoads() throws Exception {
        Path runtime = Path.of(PricingServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> others = classPath().stream().filter(e -> !Path.of(e).equals(runtime)).toList();
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("this JDK has no jdeps"));
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(err), "--multi-release", "25", "--ignore-missing-deps", "--print-module-deps",
                "--class-path", String.join(File.pathSeparator, others), runtime.toString());
        assertEquals(0, status, "jdeps failed: " + err + out);
        List<String> lines = out.toString().lines().filter(l -> !l.isBlank()).toList();
        Set<String> found = new TreeSet<>(List.of(lines.getLast().strip().split(",")));
        assertTrue(found.containsAll(List.of("java.base", "jdk.incubator.vector", "jdk.unsupported")), "jdeps found " + found);

        Set<String> needed = new TreeSet<>(found);
        needed.removeAll(LEFT_OUT.keySet());
        assertEquals(needed, dockerfile.jlinkModules(), "the Dockerfile's jlink --add-modules against jdeps " + found + " less " + LEFT_OUT);
    }

    @Test
    void theGracePeriodCoversThePreStopSleepAndTheLongestDrain() {
        JsonNode preStop = container.at("/lifecycle/preStop/exec/command");
        assertEquals("sleep", preStop.get(0).asText(), "preStop sleeps while the endpoint leaves the load balancers: " + preStop);
        int sleep = preStop.get(1).asInt();
        assertTrue(sleep >= 2, "preStop sleep " + sleep + " s");
        int drain = Integer.parseInt(option(deploymentArgs(), "--drain-seconds"));
        int grace = deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asInt();
        // PricingServer.close(): the drain (drain), then closing the connections and stopping the threads (at most 6 s in all), then
        // the runtime's close (drain): 2 × drain + 6 s, within 3 × drain + 1 s for drains of 5 s or more.
        int longestDrain = 3 * drain + 1;
        assertTrue(grace >= sleep + longestDrain, "terminationGracePeriodSeconds " + grace + " < preStop " + sleep + " s + drain " + longestDrain + " s");
    }

    @Test
    void theAdminTokenComesFromTheSecretAndTheExampleHoldsNoRealToken() {
        JsonNode env = container.path("env");
        assertEquals(1, env.size());
        assertEquals("PINN_ADMIN_TOKEN", env.get(0).path("name").asText());
        JsonNode reference = env.get(0).at("/valueFrom/secretKeyRef");
        JsonNode secret = only("Secret");
        assertEquals(secret.at("/metadata/name").asText(), reference.path("name").asText(), "the Secret's name");
        JsonNode token = secret.path("stringData").path(reference.path("key").asText());
        assertTrue(token.isTextual(), "the Secret example has no key " + reference.path("key").asText());
        assertTrue(token.asText().startsWith("REPLACE-ME"), "the example Secret must hold a placeholder, not a token: " + token.asText());
    }

    @Test
    void theContainerRequestsAndLimitsCpuAndMemory() {
        JsonNode resources = container.path("resources");
        for (String resource : List.of("cpu", "memory")) {
            double request = quantity(resources.at("/requests/" + resource).asText());
            double limit = quantity(resources.at("/limits/" + resource).asText());
            assertTrue(request > 0 && request <= limit, resource + ": request " + request + ", limit " + limit);
        }
        assertTrue(quantity(resources.at("/limits/memory").asText()) >= 512 * 1024 * 1024, "at least 512 MiB for a JVM with 100,000-option batches");
    }

    /** A Kubernetes quantity: 500m, 2, 512Mi, 1Gi. */
    private static double quantity(String text) {
        assertFalse(text.isEmpty(), "missing quantity");
        Matcher m = Pattern.compile("([0-9.]+)(m|Ki|Mi|Gi|k|M|G)?").matcher(text);
        assertTrue(m.matches(), "not a quantity: " + text);
        double value = Double.parseDouble(m.group(1));
        String suffix = m.group(2) == null ? "" : m.group(2);
        return value * switch (suffix) {
            case "m" -> 1e-3;
            case "k" -> 1e3;
            case "M" -> 1e6;
            case "G" -> 1e9;
            case "Ki" -> 1024.0;
            case "Mi" -> 1024.0 * 1024;
            case "Gi" -> 1024.0 * 1024 * 1024;
            default -> 1.0;
        };
    }

    @Test
    void theServicesAndTheBudgetSelectTheDeploymentsPods() {
        JsonNode podLabels = deployment.at("/spec/template/metadata/labels");
        assertTrue(contains(podLabels, deployment.at("/spec/selector/matchLabels")), "the Deployment's selector matches its pods");
        for (JsonNode service : ofKind("Service")) {
            assertTrue(contains(podLabels, service.at("/spec/selector")), service.at("/metadata/name") + " selects the pods");
        }
        assertTrue(contains(podLabels, only("PodDisruptionBudget").at("/spec/selector/matchLabels")), "the PodDisruptionBudget selects the pods");
    }

    private static boolean contains(JsonNode labels, JsonNode selector) {
        assertTrue(selector instanceof ObjectNode && !selector.isEmpty(), "empty selector");
        for (var entry : selector.properties()) {
            if (!entry.getValue().asText().equals(labels.path(entry.getKey()).asText())) return false;
        }
        return true;
    }

    @Test
    void theHorizontalPodAutoscalerScalesTheDeploymentOnCpu() {
        JsonNode hpa = only("HorizontalPodAutoscaler");
        assertEquals("autoscaling/v2", hpa.path("apiVersion").asText());
        JsonNode target = hpa.at("/spec/scaleTargetRef");
        assertEquals("apps/v1", target.path("apiVersion").asText());
        assertEquals("Deployment", target.path("kind").asText());
        assertEquals(deployment.at("/metadata/name").asText(), target.path("name").asText(), "the HPA targets the Deployment");
        int min = hpa.at("/spec/minReplicas").asInt(), max = hpa.at("/spec/maxReplicas").asInt();
        assertTrue(min >= 2 && min <= max, "replicas " + min + " to " + max + " (at least 2, so that one pod's drain leaves one serving)");
        JsonNode metric = hpa.at("/spec/metrics/0");
        assertEquals("Resource", metric.path("type").asText());
        assertEquals("cpu", metric.at("/resource/name").asText());
        assertEquals("Utilization", metric.at("/resource/target/type").asText());
        int utilisation = metric.at("/resource/target/averageUtilization").asInt();
        assertTrue(utilisation > 0 && utilisation <= 100, "averageUtilization " + utilisation);
        assertNotNull(container.at("/resources/requests/cpu").textValue(), "CPU utilisation is measured against the container's CPU request");
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String json) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
