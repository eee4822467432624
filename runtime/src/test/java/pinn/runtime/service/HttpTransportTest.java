package pinn.runtime.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import pinn.runtime.BlackScholes;
import pinn.runtime.OptionType;

/**
 * The HTTP mechanics of the service, over plain sockets so that every byte is visible: HTTP/1.0
 * clients, {@code Connection: close}, pipelined requests answered in order (a deferred batch
 * first), refusals of oversized bodies that the client hears (also with {@code Connection: close}
 * and {@code Expect: 100-continue}), an unreadable request, a large batch that does not hold up
 * single options on the same event loop, the NIO transport, and no thread left after close.
 */
class HttpTransportTest {

    private static final String OPTION = "{\"spot\": 105, \"strike\": 100, \"expiry\": 0.5, \"rate\": 0.03, \"vol\": 0.2, \"type\": \"call\"}";

    /** One event loop, so that a large batch priced on it would hold up every other request. */
    private static PricingServer server;

    @BeforeAll
    static void start() {
        server = PricingServer.start(ServiceConfig.loopback(0).withIoThreads(1));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A response: status, headers (names in lower case), body. */
    record Response(int status, Map<String, String> headers, String body) {
        JsonNode json() throws IOException {
            return ServiceClient.JSON.readTree(body);
        }
    }

    /** A raw connection to the server. */
    private static final class Connection implements AutoCloseable {
        final Socket socket = new Socket();
        final OutputStream out;
        final InputStream in;

        Connection(int port) throws IOException {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(20_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        }

        void send(String text) throws IOException {
            send(text.getBytes(StandardCharsets.UTF_8));
        }

        void send(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** Reads one response; its length must be given by Content-Length. */
        Response read() throws IOException {
            String status = line();
            Map<String, String> headers = new LinkedHashMap<>();
            for (String header; !(header = line()).isEmpty(); ) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).strip().toLowerCase(Locale.ROOT), header.substring(colon + 1).strip());
            }
            assertTrue(headers.containsKey("content-length"), () -> "no Content-Length: " + status + " " + headers);
            assertFalse(headers.containsKey("transfer-encoding"), () -> "chunked: " + headers);
            byte[] body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            return new Response(Integer.parseInt(status.substring(9, 12)), headers, new String(body, StandardCharsets.UTF_8));
        }

        /** Whether the server has closed the connection (end of stream within the timeout). */
        boolean closedByServer() throws IOException {
            socket.setSoTimeout(5_000);
            try {
                return in.read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            }
        }

        private String line() throws IOException {
            return KeepAliveConnection.line(in);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static String post(String version, String path, String body, String... headers) {
        return "POST " + path + " " + version + "\r\nHost: localhost\r\nContent-Type: application/json\r\n" + String.join("", headers)
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private static void assertPricedCorrectly(Response response) throws IOException {
        assertEquals(200, response.status(), response.body());
        PricingEndpointTest.assertWithinTargets(BlackScholes.value(OptionType.CALL, 105, 100, 0.5, 0.03, 0.2), 100, response.json(), -1);
    }

    private static String batch(int n) {
        String spots = IntStream.range(0, n).mapToObj(i -> Double.toString(80 + 40.0 * i / n)).collect(Collectors.joining(",", "[", "]"));
        return "{\"spot\": " + spots + ", \"strike\": 100, \"expiry\": 1, \"rate\": 0.03, \"vol\": 0.25, \"type\": \"put\"}";
    }

    @Test
    void anHttp10ClientIsAnsweredAndTheConnectionClosed() throws IOException {
        try (Connection c = new Connection(server.port())) {
            c.send(post("HTTP/1.0", "/v1/price", OPTION));
            Response response = c.read();
            assertPricedCorrectly(response);
            assertEquals("close", response.headers().get("connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void anHttp10ClientThatAsksForKeepAliveKeepsItsConnection() throws IOException {
        try (Connection c = new Connection(server.port())) {
            for (int i = 0; i < 3; i++) {
                c.send(post("HTTP/1.0", "/v1/price", OPTION, "Connection: keep-alive\r\n"));
                Response response = c.read();
                assertPricedCorrectly(response);
                assertEquals("keep-alive", response.headers().get("connection"));
            }
            c.send("GET /healthz HTTP/1.0\r\n\r\n");
            assertEquals(200, c.read().status());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void connectionCloseIsHonoured() throws IOException {
        try (Connection c = new Connection(server.port())) {
            c.send(post("HTTP/1.1", "/v1/price", OPTION, "Connection: close\r\n"));
            Response response = c.read();
            assertPricedCorrectly(response);
            assertEquals("close", response.headers().get("connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderEvenAfterADeferredBatch() throws IOException {
        try (Connection c = new Connection(server.port())) {
            c.send(post("HTTP/1.1", "/v1/price", batch(5_000)) + post("HTTP/1.1", "/v1/price", OPTION) + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n" + post("HTTP/1.1", "/v1/price", OPTION));
            Response first = c.read();
            assertEquals(200, first.status(), first.body());
            assertEquals(5_000, first.json().path("count").asInt());
            assertPricedCorrectly(c.read());
            assertEquals("ok", c.read().json().path("status").asText());
            assertEquals(404, c.read().status());
            assertPricedCorrectly(c.read());
        }
    }

    @Test
    @Timeout(60)
    void aLargeBatchDoesNotHoldUpSingleOptionsOnTheSameEventLoop() throws Exception {
        try (Connection large = new Connection(server.port()); Connection small = new Connection(server.port())) {
            large.send(post("HTTP/1.1", "/v1/price", batch(ServiceConfig.DEFAULT_MAX_OPTIONS)));
            // The batch is parsed, priced and written on a work thread (about 0.1-0.5 s here); meanwhile the one event loop answers the others.
            for (int i = 0; i < 5; i++) {
                small.send(post("HTTP/1.1", "/v1/price", OPTION));
                assertPricedCorrectly(small.read());
            }
            assertEquals(0, large.in.available(), "the large batch was answered before the single options: it held the event loop");
            Response answer = large.read();
            assertEquals(200, answer.status());
            assertEquals(ServiceConfig.DEFAULT_MAX_OPTIONS, answer.json().path("count").asInt());
        }
    }

    @Test
    void anOversizedBodyIsAnsweredWith413EvenWhenTheClientAsksToClose() throws IOException {
        byte[] body = new byte[2 << 20];
        java.util.Arrays.fill(body, (byte) ' ');
        try (Connection c = new Connection(server.port())) {
            c.send(("POST /v1/price HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            c.send(body);
            Response response = c.read();
            assertEquals(413, response.status());
            assertEquals("body", response.json().path("error").path("field").asText());
            assertTrue(response.json().path("error").path("reason").asText().contains("Content-Length is " + body.length), response.body());
        }
        // With keep-alive the rest of the body is read and thrown away, and the connection serves on.
        try (Connection c = new Connection(server.port())) {
            c.send(("POST /v1/price HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            c.send(body);
            assertEquals(413, c.read().status());
            c.send(post("HTTP/1.1", "/v1/price", OPTION));
            assertPricedCorrectly(c.read());
        }
    }

    @Test
    void aClientExpecting100ContinueWithATooLargeBodyGetsTheJson413Instead() throws IOException {
        try (Connection c = new Connection(server.port())) {
            c.send("POST /v1/price HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " + (5 << 20) + "\r\n\r\n");
            Response response = c.read();
            assertEquals(413, response.status());
            assertEquals("application/json", response.headers().get("content-type"));
            assertTrue(response.json().path("error").path("reason").asText().contains("larger than the limit of 1048576 bytes"), response.body());
            assertTrue(c.closedByServer(), "the client sends no body after a 413: the connection closes");
        }
    }

    @Test
    void anExpectationOtherThan100ContinueIsAnswered417() throws IOException {
        try (Connection c = new Connection(server.port())) {
            c.send("POST /v1/price HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nContent-Length: 10\r\n\r\n");
            Response response = c.read();
            assertEquals(417, response.status());
            assertEquals("expect", response.json().path("error").path("field").asText());
            assertTrue(c.closedByServer());
        }
        assertEquals(0, server.requestsInFlight(), "a refused request is not left in flight");
    }

    @Test
    void aHalfSentRequestCountsAsInFlightOnceItsHeadIsRead() throws Exception {
        try (Connection c = new Connection(server.port())) {
            byte[] body = OPTION.getBytes(StandardCharsets.UTF_8);
            c.send("POST /v1/price HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " + body.length + "\r\n\r\n");
            String interim = new String(c.in.readNBytes("HTTP/1.1 100 Continue\r\n\r\n".length()), StandardCharsets.US_ASCII);
            assertTrue(interim.startsWith("HTTP/1.1 100"), interim);
            assertEquals(1, server.requestsInFlight(), "in flight as soon as 100 Continue has been sent");
            c.send(body);
            assertPricedCorrectly(c.read());
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.requestsInFlight() > 0 && System.nanoTime() < deadline) Thread.sleep(1);
        assertEquals(0, server.requestsInFlight());
    }

    @Test
    void anUnreadableRequestIsAnswered400InJsonAndTheConnectionClosed() throws IOException {
        try (Connection c = new Connection(server.port())) {
            c.send("POST /v1/price HTTP/1.1\r\nHost: x\r\nContent-Length: twelve\r\n\r\n{}");
            Response response = c.read();
            assertEquals(400, response.status());
            assertEquals("request", response.json().path("error").path("field").asText());
            for (String internal : java.util.List.of("Exception", "netty", "java.", "\tat ")) assertFalse(response.body().contains(internal), response.body());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void theNioTransportServesTooAndNoServerThreadOutlivesClose() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        String previous = System.setProperty(PricingServer.TRANSPORT_PROPERTY, "nio");
        PricingServer nio;
        try {
            nio = PricingServer.start(ServiceConfig.loopback(0));
        } finally {
            if (previous == null) System.clearProperty(PricingServer.TRANSPORT_PROPERTY);
            else System.setProperty(PricingServer.TRANSPORT_PROPERTY, previous);
        }
        String runtimeThreads = nio.runtime().threadNamePrefix();
        try (Connection c = new Connection(nio.port())) {
            assertEquals("nio", nio.transport());
            c.send(post("HTTP/1.1", "/v1/price", OPTION));
            assertPricedCorrectly(c.read());
            c.send(post("HTTP/1.1", "/v1/price", batch(1_000)));   // through a work thread
            assertEquals(1_000, c.read().json().path("count").asInt());
        } finally {
            nio.close();
            nio.close();   // harmless
        }
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            boolean ours = !before.contains(t) && (t.getName().startsWith("pinn-http-") || t.getName().startsWith(runtimeThreads));
            assertFalse(ours && t.isAlive(), () -> "left running after close: " + t.getName());
        }
    }
}
