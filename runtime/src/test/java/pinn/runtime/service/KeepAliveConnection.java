package pinn.runtime.service;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 keep-alive connection over a plain socket, one request at a time: for the
 * concurrency test, whose 32,000 requests would otherwise meet a race in java.net.http's
 * connection pool (JDK-8357639: a response delivered to the pool's idle-connection watcher is lost,
 * "HTTP/1.1 header parser received no bytes"). It also shows that answers keep connections open.
 */
final class KeepAliveConnection implements AutoCloseable {

    /** A status and a body. */
    record Response(int status, String body) {}

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    KeepAliveConnection(int port) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(30_000);
        out = new BufferedOutputStream(socket.getOutputStream());
        in = new BufferedInputStream(socket.getInputStream());
    }

    Response post(String path, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        String status = line();
        int length = -1;
        for (String header; !(header = line()).isEmpty(); ) {
            int colon = header.indexOf(':');
            if (colon > 0 && header.substring(0, colon).equalsIgnoreCase("Content-Length")) {
                length = Integer.parseInt(header.substring(colon + 1).strip());
            }
            if (colon > 0 && header.substring(0, colon).equalsIgnoreCase("Connection") && header.contains("close")) {
                throw new IOException("the server closes a keep-alive connection: " + status);
            }
        }
        if (length < 0) throw new IOException("an answer without Content-Length: " + status);
        byte[] answer = in.readNBytes(length);
        if (answer.length < length) throw new IOException("the connection closed within an answer");
        return new Response(Integer.parseInt(status.substring(9, 12)), new String(answer, StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
        return line(in);
    }

    /** One line of an HTTP head from {@code in}, without its CR LF; also used by HttpTransportTest's raw connection. */
    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) throw new IOException("the connection closed");
            if (c != '\r') line.write(c);
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
