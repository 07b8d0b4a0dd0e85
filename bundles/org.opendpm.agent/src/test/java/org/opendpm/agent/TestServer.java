package org.opendpm.agent;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A small server side of docs/agent-protocol.md on 127.0.0.1, written independently of the agent's own framing
 * code: TLS with a fixed self-signed EC certificate, register/hello handling, heartbeats, and requests whose answers
 * a test waits for.
 */
final class TestServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    private final SSLServerSocket serverSocket;
    private final String fingerprint;
    private final Thread acceptor;
    private final List<Conn> connections = new CopyOnWriteArrayList<>();
    private final SecureRandom random = new SecureRandom();

    /** Credentials issued, by MAC; a test may seed one to make registration of that MAC fail. */
    final Map<String, String> credentials = new ConcurrentHashMap<>();
    final List<ObjectNode> openings = new CopyOnWriteArrayList<>();
    final AtomicInteger registers = new AtomicInteger();
    final AtomicInteger hellos = new AtomicInteger();
    final AtomicInteger accepted = new AtomicInteger();
    final BlockingQueue<Conn> sessions = new LinkedBlockingQueue<>();
    volatile int heartbeatSeconds = 15;
    volatile boolean sendHeartbeats = true;
    /** Registers answered by closing without an answer, as when the answer is lost on the way. */
    final AtomicInteger dropRegisterAnswers = new AtomicInteger();

    TestServer(String keystore) throws Exception {
        this(keystore, 0, Map.of());
    }

    /** On a given port, knowing the credentials an earlier server issued (a server restart). */
    TestServer(String keystore, int port, Map<String, String> issued) throws Exception {
        credentials.putAll(issued);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = TestServer.class.getResourceAsStream("/" + keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        fingerprint = PinningTrustManager.fingerprint((X509Certificate) ks.getCertificate("server"));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        serverSocket = (SSLServerSocket) ssl.getServerSocketFactory().createServerSocket(port, 500,
                InetAddress.getLoopbackAddress());
        serverSocket.setEnabledProtocols(new String[] { "TLSv1.3", "TLSv1.2" });
        acceptor = new Thread(this::acceptLoop, "test-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    String fingerprint() {
        return fingerprint;
    }

    Conn awaitSession(Duration timeout) throws InterruptedException {
        Conn c = sessions.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (c == null) {
            throw new AssertionError("no agent session within " + timeout + " (registers " + registers.get()
                    + ", hellos " + hellos.get() + ")");
        }
        return c;
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket s = serverSocket.accept();
                accepted.incrementAndGet();
                Conn c = new Conn(s);
                connections.add(c);
                Thread t = new Thread(null, c::readLoop, "test-server-conn", 256 * 1024);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        for (Conn c : connections) {
            c.close();
        }
    }

    /** One agent connection as the server sees it. */
    final class Conn {
        private final Socket socket;
        private final DataOutputStream out;
        private final Map<Long, CompletableFuture<ObjectNode>> pending = new ConcurrentHashMap<>();
        private final AtomicLong nextId = new AtomicLong(1);
        final AtomicInteger heartbeats = new AtomicInteger();
        final List<ObjectNode> unsolicited = new CopyOnWriteArrayList<>();
        final CountDownLatch closed = new CountDownLatch(1);
        volatile ObjectNode hello;
        private volatile Thread beater;

        Conn(Socket socket) throws IOException {
            this.socket = socket;
            this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
        }

        void readLoop() {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()))) {
                boolean opened = false;
                while (true) {
                    int length;
                    try {
                        length = in.readInt();
                    } catch (EOFException e) {
                        return;
                    }
                    int type = in.readUnsignedByte();
                    byte[] payload = new byte[length - 1];
                    in.readFully(payload);
                    if (type != 1) {
                        throw new IOException("agent sent a frame of type " + type);
                    }
                    ObjectNode m = (ObjectNode) JSON.readTree(payload);
                    String t = m.get("type").asText();
                    if (!opened) {
                        opened = true;
                        openings.add(m);
                        if (!open(t, m)) {
                            return;
                        }
                        continue;
                    }
                    if (t.equals("heartbeat")) {
                        heartbeats.incrementAndGet();
                    } else if (m.has("id") && pending.containsKey(m.get("id").asLong())) {
                        pending.remove(m.get("id").asLong()).complete(m);
                    } else {
                        unsolicited.add(m);
                    }
                }
            } catch (IOException e) {
                // connection ended
            } finally {
                close();
            }
        }

        /** Answers register or hello; false when the connection is to close. */
        private boolean open(String type, ObjectNode m) throws IOException {
            String mac = m.path("mac").asText();
            if (type.equals("register")) {
                registers.incrementAndGet();
                String proposed = m.path("credential").asText(null);
                if (credentials.containsKey(mac) && !credentials.get(mac).equals(proposed)) {
                    send(error("already-registered", "a credential was already issued for " + mac));
                    return false;
                }
                String credential = proposed;
                if (credential == null) {
                    byte[] secret = new byte[32];
                    random.nextBytes(secret);
                    credential = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
                }
                credentials.put(mac, credential);
                if (dropRegisterAnswers.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    return false;
                }
                ObjectNode r = JSON.createObjectNode().put("type", "registered").put("credential", credential);
                send(r);
                return true;
            }
            if (type.equals("hello")) {
                hellos.incrementAndGet();
                if (!m.path("credential").asText().equals(credentials.get(mac))) {
                    send(error("unauthenticated", "credential not valid"));
                    return false;
                }
                hello = m;
                send(JSON.createObjectNode().put("type", "welcome").put("heartbeatSeconds", heartbeatSeconds));
                if (sendHeartbeats) {
                    Thread b = new Thread(this::beat, "test-server-beat");
                    b.setDaemon(true);
                    beater = b;
                    b.start();
                }
                sessions.add(this);
                return true;
            }
            throw new IOException("first frame was " + type);
        }

        private void beat() {
            try {
                while (closed.getCount() > 0) {
                    Thread.sleep(heartbeatSeconds * 1000L);
                    send(JSON.createObjectNode().put("type", "heartbeat"));
                }
            } catch (InterruptedException | IOException e) {
                // connection gone
            }
        }

        private ObjectNode error(String code, String message) {
            return JSON.createObjectNode().put("type", "error").put("code", code).put("message", message);
        }

        String mac() {
            return hello.path("mac").asText();
        }

        /** Sends a request with the next id and waits for the answer with that id. */
        ObjectNode request(ObjectNode request, Duration timeout) throws Exception {
            long id = nextId.getAndIncrement();
            request.put("id", id);
            CompletableFuture<ObjectNode> f = new CompletableFuture<>();
            pending.put(id, f);
            send(request);
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        ObjectNode request(ObjectNode request) throws Exception {
            return request(request, Duration.ofSeconds(30));
        }

        /** Registers interest in the answer to {@code id} before a request is sent in pieces. */
        CompletableFuture<ObjectNode> expect(long id) {
            CompletableFuture<ObjectNode> f = new CompletableFuture<>();
            pending.put(id, f);
            return f;
        }

        long nextId() {
            return nextId.getAndIncrement();
        }

        synchronized void send(ObjectNode m) throws IOException {
            byte[] payload = JSON.writeValueAsBytes(m);
            out.writeInt(payload.length + 1);
            out.writeByte(1);
            out.write(payload);
            out.flush();
        }

        synchronized void sendData(long transferId, byte[] data, int offset, int length) throws IOException {
            out.writeInt(length + 9);
            out.writeByte(2);
            out.writeLong(transferId);
            out.write(data, offset, length);
            out.flush();
        }

        synchronized void sendRaw(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        boolean awaitClosed(Duration timeout) throws InterruptedException {
            return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closed anyway
            }
            Thread b = beater;
            if (b != null) {
                b.interrupt();
            }
            closed.countDown();
        }
    }

    static ObjectNode message(String type) {
        return JSON.createObjectNode().put("type", type);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
