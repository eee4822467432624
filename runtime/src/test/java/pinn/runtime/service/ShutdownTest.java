package pinn.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import pinn.runtime.BlackScholes;
import pinn.runtime.OptionType;

/**
 * Draining: once shutdown starts the server accepts no connection, the request in flight still
 * gets its full, correct answer, the runtime closes, and {@code ./pinn serve} exits 0 on SIGTERM.
 *
 * <p>"In flight" is made certain rather than timed: the request is sent with {@code Expect:
 * 100-continue} and only half its body; the server's {@code 100 Continue} proves its handler has
 * started, and the handler then waits for the rest of the body, which is sent only after the
 * shutdown has begun.
 */
class ShutdownTest {

    private static final String BODY = "{\"spot\": 105, \"strike\": 100, \"expiry\": 0.5, \"rate\": 0.03, \"vol\": 0.2, \"type\": \"call\"}";

    @Test
    @Timeout(30)
    void closeDrainsTheRequestInFlightAndThenClosesTheRuntime() throws Exception {
        PricingServer server = PricingServer.start(ServiceConfig.loopback(0).withDrainTimeout(Duration.ofSeconds(10)));
        try (HalfSentRequest request = HalfSentRequest.open(server.port())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.requestsInFlight() < 1 && System.nanoTime() < deadline) Thread.sleep(1);
            assertEquals(1, server.requestsInFlight());
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            awaitRefused(server.port());
            assertFalse(closing.isDone(), "close() returned while a request was in flight");
            assertFalse(server.runtime().isClosed(), "the runtime closed under a request in flight");

            assertAnsweredCorrectly(request.finish());
            closing.get(15, TimeUnit.SECONDS);
            assertTrue(server.runtime().isClosed());
            assertEquals(0, server.requestsInFlight());
        } finally {
            server.close();
        }
    }

    @Test
    @Timeout(60)
    void sigtermDrainsAndExitsZero(@TempDir Path directory) throws Exception {
        String classPath = System.getProperty("java.class.path");
        assertTrue(classPath.contains("classes"), "the test class path is not usable for a child JVM: " + classPath);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", classPath, "pinn.runtime.cli.Main", "serve", "--port", "0", "--drain-seconds", "10"));
        // To a file, not a pipe: the JDK closes a child's pipe when the child exits, losing what a reader had not read yet.
        Path output = directory.resolve("serve.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try {
            int port = awaitListening(process, output);
            try (HalfSentRequest request = HalfSentRequest.open(port)) {
                process.destroy();   // SIGTERM
                awaitRefused(port);
                assertTrue(process.isAlive(), "the server exited with a request in flight");
                assertAnsweredCorrectly(request.finish());
            }
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the server did not exit after SIGTERM");
            String log = Files.readString(output);
            assertEquals(0, process.exitValue(), () -> "exit status; output:\n" + log);
            assertTrue(log.contains("pinn serve: shutting down; draining 1 request(s) in flight"), log);
            assertTrue(log.contains("pinn serve: stopped"), log);
        } finally {
            process.destroyForcibly();
        }
    }

    /** Waits for the child to say where it listens. */
    private static int awaitListening(Process process, Path output) throws Exception {
        Pattern listening = Pattern.compile("listening on http://[^:]+:(\\d+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (System.nanoTime() < deadline) {
            Matcher m = listening.matcher(Files.readString(output));
            if (m.find()) return Integer.parseInt(m.group(1));
            if (!process.isAlive()) fail("the server ended before listening:\n" + Files.readString(output));
            Thread.sleep(20);
        }
        throw new AssertionError("the server did not start listening:\n" + Files.readString(output));
    }

    /** Waits until the port refuses connections. */
    private static void awaitRefused(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            } catch (ConnectException refused) {
                return;
            } catch (IOException other) {
                // a timeout or reset: try again
            }
            Thread.sleep(20);
        }
        fail("port " + port + " still accepts connections after shutdown began");
    }

    private static void assertAnsweredCorrectly(String response) throws IOException {
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        JsonNode answer = ServiceClient.JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
        PricingEndpointTest.assertWithinTargets(BlackScholes.value(OptionType.CALL, 105, 100, 0.5, 0.03, 0.2), 100, answer, -1);
    }

    /** A POST /v1/price whose handler has started (100 Continue received) and waits for the second half of its body. */
    private static final class HalfSentRequest implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final byte[] body = BODY.getBytes(StandardCharsets.UTF_8);

        private HalfSentRequest(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
            this.in = socket.getInputStream();
        }

        static HalfSentRequest open(int port) throws IOException {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(20_000);
            HalfSentRequest request = new HalfSentRequest(socket);
            request.start();
            return request;
        }

        private void start() throws IOException {
            String head = "POST /v1/price HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: "
                    + body.length + "\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, body.length / 2);
            out.flush();
            String interim = readHead();
            assertTrue(interim.startsWith("HTTP/1.1 100"), "expected 100 Continue, got " + interim);
        }

        /** Sends the rest of the body; returns the whole response (head and body). */
        String finish() throws IOException {
            out.write(body, body.length / 2, body.length - body.length / 2);
            out.flush();
            String head = readHead();
            Matcher length = Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(head);
            assertTrue(length.find(), head);
            byte[] answer = in.readNBytes(Integer.parseInt(length.group(1)));
            return head + new String(answer, StandardCharsets.UTF_8);
        }

        /** Reads a response head, up to and including the blank line. */
        private String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0, c;
            while (matched < 4 && (c = in.read()) >= 0) {
                head.write(c);
                matched = (c == '\r' || c == '\n') && "\r\n\r\n".charAt(matched) == c ? matched + 1 : c == '\r' ? 1 : 0;
            }
            return head.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
