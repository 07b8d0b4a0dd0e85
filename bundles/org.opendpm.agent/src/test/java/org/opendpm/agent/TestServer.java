package org.opendpm.agent;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

import org.opendpm.agent.protocol.Frame;
import org.opendpm.agent.protocol.FrameCodec;
import org.opendpm.agent.protocol.Message;
import org.opendpm.agent.protocol.MessageCodec;

/**
 * A small server side of docs/agent-protocol.md on 127.0.0.1 over the protocol module's frames: TLS with a fixed
 * self-signed EC certificate, register/hello handling (and Deploy-OS tokens), heartbeats, stream credit, and
 * requests whose answers a test waits for.
 */
final class TestServer implements AutoCloseable {

    private final SSLServerSocket serverSocket;
    private final String fingerprint;
    private final Thread acceptor;
    private final List<Conn> connections = new CopyOnWriteArrayList<>();
    private final SecureRandom random = new SecureRandom();

    /** Credentials issued, by MAC; a test may seed one to make registration of that MAC fail. */
    final Map<String, String> credentials = new ConcurrentHashMap<>();
    final List<Message> openings = new CopyOnWriteArrayList<>();
    /** Deploy-OS tokens accepted once each. */
    final Set<String> deployOsTokens = ConcurrentHashMap.newKeySet();
    /** Resume keys given with the welcome to a Deploy-OS hello, accepted as long as they are listed. */
    final Set<String> resumeKeys = ConcurrentHashMap.newKeySet();
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
        serverSocket.setEnabledProtocols(new String[]{ "TLSv1.3", "TLSv1.2" });
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
        private final OutputStream out;
        private final Map<Long, CompletableFuture<Message>> pending = new ConcurrentHashMap<>();
        private final AtomicLong nextId = new AtomicLong(1);
        final AtomicInteger heartbeats = new AtomicInteger();
        final List<Message> unsolicited = new CopyOnWriteArrayList<>();
        /** Events of requests (progress, streamBegin, image events) in arrival order. */
        final List<Message> events = new CopyOnWriteArrayList<>();
        /** Sees every event on the reader thread before it is listed, in order with the data frames. */
        volatile EventListener eventListener;
        final CountDownLatch closed = new CountDownLatch(1);
        /** Where stream data goes, by transfer id; the reader thread writes it, so a slow sink stops reading. */
        final Map<Long, StreamSink> streams = new ConcurrentHashMap<>();
        volatile Message.Hello hello;
        private volatile Thread beater;

        interface EventListener {
            void event(Message m) throws IOException;
        }

        /** Takes the data of a stream; may block (then the agent waits for credit). */
        interface StreamSink {
            void accept(byte[] chunk) throws IOException;
        }

        Conn(Socket socket) throws IOException {
            this.socket = socket;
            this.out = new BufferedOutputStream(socket.getOutputStream());
        }

        void readLoop() {
            try (InputStream in = new BufferedInputStream(socket.getInputStream())) {
                boolean opened = false;
                while (true) {
                    Frame f = FrameCodec.read(in, FrameCodec.AGENT_MAX_FRAME);
                    if (f == null) {
                        return;
                    }
                    if (f instanceof Frame.Data d) {
                        StreamSink sink = streams.get(d.transferId());
                        if (sink == null) {
                            throw new IOException("data for transfer " + d.transferId() + ", which is not open");
                        }
                        byte[] chunk = new byte[d.chunk().remaining()];
                        d.chunk().get(chunk);
                        sink.accept(chunk);
                        continue;
                    }
                    Message m = ((Frame.Control) f).message();
                    if (!opened) {
                        opened = true;
                        openings.add(m);
                        if (!open(m)) {
                            return;
                        }
                        continue;
                    }
                    if (m instanceof Message.Heartbeat) {
                        heartbeats.incrementAndGet();
                    } else if (m instanceof Message.Event && !(m instanceof Message.ConnectionError)) {
                        EventListener l = eventListener;
                        if (l != null) {
                            l.event(m);
                        }
                        events.add(m);
                    } else if (m instanceof Message.Answer a && pending.containsKey(a.id())) {
                        pending.remove(a.id()).complete(a);
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
        private boolean open(Message m) throws IOException {
            if (m instanceof Message.Register r) {
                registers.incrementAndGet();
                String mac = r.mac();
                String proposed = r.credential().orElse(null);
                if (credentials.containsKey(mac) && !credentials.get(mac).equals(proposed)) {
                    send(new Message.ConnectionError("already-registered", "a credential was already issued for "
                            + mac));
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
                send(new Message.Registered(credential));
                return true;
            }
            if (m instanceof Message.Hello h) {
                hellos.incrementAndGet();
                boolean ok = h.deployOs()
                        ? h.resumeKey().map(resumeKeys::contains).orElseGet(() -> deployOsTokens.remove(h.token()
                                .orElse("")))
                        : h.credential().orElse("").equals(credentials.get(h.mac()));
                if (!ok) {
                    send(new Message.ConnectionError("unauthenticated", h.deployOs()
                            ? "wrong or used token"
                            : "credential not valid"));
                    return false;
                }
                hello = h;
                Optional<String> key = Optional.empty();
                if (h.deployOs()) {
                    byte[] secret = new byte[32];
                    random.nextBytes(secret);
                    key = Optional.of(h.resumeKey().orElse(Base64.getUrlEncoder().withoutPadding().encodeToString(
                            secret)));
                    resumeKeys.add(key.get());
                }
                send(new Message.Welcome(heartbeatSeconds, key));
                if (sendHeartbeats) {
                    Thread b = new Thread(this::beat, "test-server-beat");
                    b.setDaemon(true);
                    beater = b;
                    b.start();
                }
                sessions.add(this);
                return true;
            }
            throw new IOException("first frame was " + MessageCodec.type(m));
        }

        private void beat() {
            try {
                while (closed.getCount() > 0) {
                    Thread.sleep(heartbeatSeconds * 1000L);
                    send(new Message.Heartbeat());
                }
            } catch (InterruptedException | IOException e) {
                // connection gone
            }
        }

        String mac() {
            return hello.mac();
        }

        /** Sends a request with the next id and waits for the answer with that id. */
        Message request(LongFunction<Message.Request> request, Duration timeout) throws Exception {
            Message.Request r = request.apply(nextId.getAndIncrement());
            CompletableFuture<Message> f = expect(r.id());
            send(r);
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        Message request(LongFunction<Message.Request> request) throws Exception {
            return request(request, Duration.ofSeconds(30));
        }

        /** A request of a type this protocol version does not know, as raw JSON after {@code "id":N,}. */
        Message requestUnknown(String type, String moreMembers) throws Exception {
            long id = nextId.getAndIncrement();
            CompletableFuture<Message> f = expect(id);
            byte[] json = ("{\"type\":\"" + type + "\",\"id\":" + id + "," + moreMembers + "}")
                    .getBytes(StandardCharsets.UTF_8);
            byte[] frame = new byte[5 + json.length];
            java.nio.ByteBuffer.wrap(frame).putInt(json.length + 1).put(FrameCodec.CONTROL).put(json);
            sendRaw(frame);
            return f.get(30, TimeUnit.SECONDS);
        }

        /** Registers interest in the answer to {@code id} before a request is sent in pieces. */
        CompletableFuture<Message> expect(long id) {
            CompletableFuture<Message> f = new CompletableFuture<>();
            pending.put(id, f);
            return f;
        }

        long nextId() {
            return nextId.getAndIncrement();
        }

        synchronized void send(Message m) throws IOException {
            out.write(FrameCodec.encode(m));
            out.flush();
        }

        synchronized void sendData(long transferId, byte[] data, int offset, int length) throws IOException {
            out.write(FrameCodec.dataHeader(transferId, length));
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
}
