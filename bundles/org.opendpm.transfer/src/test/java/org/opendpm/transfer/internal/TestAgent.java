package org.opendpm.transfer.internal;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.opendpm.agent.protocol.Frame;
import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.Message;
import org.opendpm.agent.protocol.MessageCodec;

/**
 * A blocking agent for tests over JDK TLS: it trusts the server by its certificate's SHA-256 fingerprint, as the
 * real agent does, speaks the protocol module's frames and can also send raw bytes, as a broken agent would.
 */
final class TestAgent implements Closeable {

    final SSLSocket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    private TestAgent(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
    }

    static TestAgent connect(InetSocketAddress server, String fingerprint) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[]{ new PinningTrustManager(fingerprint) }, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(server.getAddress(), server.getPort());
        s.setSoTimeout(10_000);
        s.startHandshake();
        return new TestAgent(s);
    }

    /** Trusts exactly the certificate with this SHA-256 fingerprint. */
    private static final class PinningTrustManager implements X509TrustManager {
        private final String fingerprint;

        PinningTrustManager(String fingerprint) {
            this.fingerprint = fingerprint;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                String fp = HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded()));
                if (!fp.equals(fingerprint)) {
                    throw new CertificateException("fingerprint " + fp + " is not the pinned " + fingerprint);
                }
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new CertificateException(e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    // ---------------------------------------------------------------- writing

    synchronized void send(Message message) throws IOException {
        out.write(FrameCodec.encode(message));
        out.flush();
    }

    void sendJson(String json) throws IOException {
        sendFrame(FrameCodec.CONTROL, json.getBytes(StandardCharsets.UTF_8));
    }

    synchronized void sendFrame(byte type, byte[] payload) throws IOException {
        out.writeInt(payload.length + 1);
        out.writeByte(type);
        out.write(payload);
        out.flush();
    }

    synchronized void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    // ---------------------------------------------------------------- reading

    Frame readFrame() throws IOException {
        Frame f = FrameCodec.read(in, FrameCodec.AGENT_MAX_FRAME);
        if (f == null) {
            throw new EOFException("the server closed the connection");
        }
        return f;
    }

    /** The next control message that is not a heartbeat. */
    Message read() throws IOException {
        while (true) {
            Frame f = readFrame();
            if (!(f instanceof Frame.Control c)) {
                throw new AssertionError("expected a control frame, got " + f);
            }
            if (!(c.message() instanceof Message.Heartbeat)) {
                return c.message();
            }
        }
    }

    <T extends Message> T expect(Class<T> type) throws IOException {
        Message m = read();
        if (!type.isInstance(m)) {
            throw new AssertionError("expected '" + MessageCodec.type(type) + "', got " + m);
        }
        return type.cast(m);
    }

    /**
     * Reads until the server closes, returning the message of its last error frame ("" if none); fails when the
     * connection is still open after {@code within}.
     */
    String awaitClose(Duration within) throws IOException {
        socket.setSoTimeout((int) within.toMillis());
        String last = "";
        long deadline = System.nanoTime() + within.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                Frame f = readFrame();
                if (f instanceof Frame.Control c && c.message() instanceof Message.ConnectionError e) {
                    last = e.message();
                }
            }
        } catch (EOFException | SocketException e) {
            return last;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connection still open after " + within);
        } catch (javax.net.ssl.SSLException e) {
            return last;
        }
        throw new AssertionError("connection still open after " + within);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test connection
        }
    }
}
