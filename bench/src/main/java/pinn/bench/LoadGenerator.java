package pinn.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * A load generator for {@code ./pinn serve}: single-option {@code POST /v1/price} requests at a
 * fixed rate, with latency percentiles corrected for coordinated omission.
 *
 * <p>Open model: request i is due at {@code start + i / rate}, whatever happened to the requests
 * before it. A due request goes out at once on an idle keep-alive connection, or waits in a queue
 * when every connection is busy; a connection that receives its response takes the oldest queued
 * request. Latency runs from the request's <em>intended</em> send time to the end of its
 * response, so a stalled server (or client) shows in the percentiles instead of quietly lowering
 * the rate: the mistake Gil Tene named coordinated omission.
 *
 * <p>One thread drives every connection through a selector, with pre-encoded requests, so the
 * client costs little CPU per request: when client and server share a machine, what the client
 * burns the server lacks. Between due times it parks until the next one, in slices of 50 µs while
 * answers are awaited (selector timeouts are whole milliseconds), so an answer is seen within
 * about 50 µs of its arrival.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar pinn.bench.LoadGenerator --port 8080 --rate 20000 --duration 30 --warmup 10
 * </pre>
 *
 * Prints the rate achieved, p50/p90/p99/p99.9/max and the errors (answers other than a 200 with a
 * price, broken connections, requests unanswered 10 s after the last was due). Exits 0 when there
 * were no errors. {@code bench/load-test.sh} starts a server and runs this at several rates.
 */
public final class LoadGenerator {

    private static final long MAX_LATENCY_MICROS = TimeUnit.SECONDS.toMicros(60);
    /** How long the loop parks at most while answers are awaited. */
    private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private final InetSocketAddress address;
    private final double rate;
    private final long warmupNanos, durationNanos;
    private final int connectionCount;
    private final ByteBuffer[] requests;

    private final Histogram histogram = new Histogram(MAX_LATENCY_MICROS, 3);
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private final ArrayDeque<Long> backlog = new ArrayDeque<>();
    private long completed, errors, measured, maxBacklog;
    private long windowStart, windowEnd;

    private LoadGenerator(InetSocketAddress address, String path, double rate, double warmupSeconds, double durationSeconds, int connections) {
        this.address = address;
        this.rate = rate;
        this.warmupNanos = (long) (warmupSeconds * 1e9);
        this.durationNanos = (long) (durationSeconds * 1e9);
        this.connectionCount = connections;
        // Different options, so that nothing on the way can answer from a cache.
        this.requests = new ByteBuffer[64];
        for (int i = 0; i < requests.length; i++) {
            String body = String.format(Locale.ROOT, "{\"spot\": %.2f, \"strike\": 100, \"expiry\": 0.5, \"rate\": 0.03, \"vol\": %.3f, \"type\": \"%s\"}",
                    80 + 40.0 * i / requests.length, 0.15 + 0.2 * (i % 8) / 8, i % 2 == 0 ? "call" : "put");
            byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
            String head = "POST " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + ":" + address.getPort()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + bodyBytes.length + "\r\n\r\n";
            ByteBuffer request = ByteBuffer.allocateDirect(head.length() + bodyBytes.length);
            request.put(head.getBytes(StandardCharsets.US_ASCII)).put(bodyBytes).flip();
            requests[i] = request;
        }
    }

    public static void main(String[] args) throws IOException {
        String host = "127.0.0.1", path = "/v1/price";
        int port = 8080, connections = 32;
        double rate = 10_000, duration = 20, warmup = 5;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--host" -> host = value;
                case "--port" -> port = Integer.parseInt(value);
                case "--path" -> path = value;
                case "--rate" -> rate = Double.parseDouble(value);
                case "--duration" -> duration = Double.parseDouble(value);
                case "--warmup" -> warmup = Double.parseDouble(value);
                case "--connections" -> connections = Integer.parseInt(value);
                case "-h", "--help" -> {
                    System.out.println("usage: LoadGenerator [--host 127.0.0.1] [--port 8080] [--path /v1/price] [--rate REQUESTS_PER_S]"
                            + " [--duration S] [--warmup S] [--connections N]");
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (try --help)");
            }
            i++;
        }
        if (!(rate > 0) || !(duration > 0) || !(warmup >= 0) || connections < 1) {
            throw new IllegalArgumentException("rate, duration and connections must be > 0, warmup >= 0");
        }
        LoadGenerator generator = new LoadGenerator(new InetSocketAddress(host, port), path, rate, warmup, duration, connections);
        System.exit(generator.run() ? 0 : 1);
    }

    /** Runs the warm-up and the measurement and prints the report; true when there were no errors. */
    private boolean run() throws IOException {
        try (Selector selector = Selector.open()) {
            List<Connection> connections = new ArrayList<>();
            for (int c = 0; c < connectionCount; c++) {
                Connection connection = new Connection(selector);
                connections.add(connection);
                idle.add(connection);
            }
            double period = 1e9 / rate;
            long total = Math.round((warmupNanos + durationNanos) / period);
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
            windowStart = start + warmupNanos;
            windowEnd = windowStart + durationNanos;
            long deadline = Long.MAX_VALUE;
            long sent = 0;
            while (completed + errors < total && System.nanoTime() < deadline) {
                long now = System.nanoTime();
                for (long due; sent < total && (due = start + (long) (sent * period)) <= now; sent++) {
                    backlog.add(due);
                }
                maxBacklog = Math.max(maxBacklog, backlog.size());
                while (!backlog.isEmpty() && !idle.isEmpty()) idle.pop().send(backlog.poll(), sent);
                if (sent == total && deadline == Long.MAX_VALUE) deadline = now + TimeUnit.SECONDS.toNanos(10);

                if (selector.selectNow() == 0) {
                    long untilDue = sent < total ? start + (long) (sent * period) - now : TimeUnit.MILLISECONDS.toNanos(1);
                    if (untilDue > TimeUnit.MILLISECONDS.toNanos(2)) {
                        selector.select(untilDue / 1_000_000 - 1);   // a response or the next due time, whichever first
                    } else if (untilDue > 0) {
                        // Selector timeouts are in milliseconds: park instead, briefly while answers are awaited,
                        // so that an answer is noticed within ~50 µs rather than at the next due time.
                        LockSupport.parkNanos(idle.size() < connectionCount ? Math.min(untilDue, POLL_NANOS) : untilDue);
                    }
                }
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    ((Connection) key.attachment()).ready(key, sent);
                }
            }
            long unanswered = total - completed - errors;
            for (Connection connection : connections) connection.close();
            report(unanswered);
            return errors + unanswered == 0;
        }
    }

    private void report(long unanswered) {
        double seconds = durationNanos / 1e9;
        System.out.printf(Locale.ROOT, "target %.0f req/s for %.0f s after %.0f s of warm-up, %d connections%n", rate, seconds, warmupNanos / 1e9,
                connectionCount);
        System.out.printf(Locale.ROOT, "achieved %.0f req/s (answered, of those due in the measured window), errors %d, most queued %d%n",
                measured / seconds, errors + unanswered, maxBacklog);
        System.out.printf(Locale.ROOT, "latency from the intended send time, µs: p50 %d  p90 %d  p99 %d  p99.9 %d  max %d%n",
                histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(90), histogram.getValueAtPercentile(99),
                histogram.getValueAtPercentile(99.9), histogram.getMaxValue());
    }

    /** A keep-alive connection with at most one request outstanding. */
    private final class Connection {
        private final Selector selector;
        private SocketChannel channel;
        private SelectionKey key;
        private final ByteBuffer in = ByteBuffer.allocateDirect(64 << 10);
        private ByteBuffer out;
        private long intended = -1;

        Connection(Selector selector) throws IOException {
            this.selector = selector;
            connect();
        }

        private void connect() throws IOException {
            channel = SocketChannel.open(address);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            key = channel.register(selector, SelectionKey.OP_READ, this);
            in.clear();
        }

        /** Sends the request due at {@code due}. */
        void send(long due, long number) {
            intended = due;
            out = requests[(int) (number % requests.length)].duplicate();
            try {
                channel.write(out);
                if (out.hasRemaining()) key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            } catch (IOException e) {
                failed(number);
            }
        }

        void ready(SelectionKey selected, long number) {
            try {
                if (selected.isValid() && selected.isWritable()) {
                    channel.write(out);
                    if (!out.hasRemaining()) key.interestOps(SelectionKey.OP_READ);
                }
                if (selected.isValid() && selected.isReadable()) {
                    if (channel.read(in) < 0) throw new IOException("the server closed the connection");
                    int status = response();
                    if (status == 0) return;   // incomplete
                    long end = System.nanoTime();
                    if (status == 200) completed++;
                    else errors++;
                    if (status == 200 && intended >= windowStart && intended < windowEnd) {
                        histogram.recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(0, (end - intended) / 1000)));
                        measured++;
                    }
                    intended = -1;
                    next(number);
                }
            } catch (IOException e) {
                failed(number);
            }
        }

        /** Takes the oldest queued request, or goes idle. */
        private void next(long number) {
            Long due = backlog.poll();
            if (due == null) idle.push(this);
            else send(due, number);
        }

        /**
         * Parses the response in {@link #in}: 0 while it is incomplete, else its status (a 200
         * whose body does not start with a price counts as 599); the response is consumed.
         */
        private int response() throws IOException {
            int end = in.position();
            int headEnd = -1;
            for (int i = 3; i < end; i++) {
                if (in.get(i) == '\n' && in.get(i - 1) == '\r' && in.get(i - 2) == '\n' && in.get(i - 3) == '\r') {
                    headEnd = i + 1;
                    break;
                }
            }
            if (headEnd < 0) return 0;
            byte[] head = new byte[headEnd];
            in.get(0, head);
            String text = new String(head, StandardCharsets.US_ASCII);
            int status = Integer.parseInt(text.substring(9, 12));
            int length = contentLength(text);
            if (end < headEnd + length) return 0;
            if (status == 200 && !(length > 10 && in.get(headEnd + 2) == 'p')) status = 599;   // {"price": ...
            if (text.toLowerCase(Locale.ROOT).contains("\r\nconnection: close")) throw new IOException("the server closes the connection");
            in.limit(end).position(headEnd + length);
            in.compact();
            return status;
        }

        private static int contentLength(String head) throws IOException {
            int at = head.toLowerCase(Locale.ROOT).indexOf("\r\ncontent-length:");
            if (at < 0) throw new IOException("a response without Content-Length");
            int from = at + 17, to = head.indexOf('\r', from);
            return Integer.parseInt(head.substring(from, to).trim());
        }

        /** Counts the request in flight as an error, reconnects, and carries on with the queue. */
        private void failed(long number) {
            if (intended >= 0) errors++;
            intended = -1;
            close();
            try {
                connect();
                next(number);
            } catch (IOException e) {
                System.err.println("load generator: cannot reconnect to " + address + ": " + e.getMessage());
            }
        }

        void close() {
            try {
                key.cancel();
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
