package org.opendpm.agent;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.rules.TemporaryFolder;

import org.opendpm.agent.protocol.Message;
import org.opendpm.agent.protocol.MessageCodec;

/** A test server with one welcomed agent session; subclasses send it requests. */
public abstract class SessionFixture {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    protected TestServer server;
    protected Agent agent;
    protected TestServer.Conn session;
    protected Path state;

    /** Lets a test class adjust the server or the agent before the session opens. */
    protected AgentConfig.Builder configure(AgentConfig.Builder b) {
        return b;
    }

    /** The agent's disk scanner; the platform's unless a test class gives one. */
    protected DiskScanner disks() {
        return DiskScanner.platform();
    }

    @Before
    public void openSession() throws Exception {
        server = new TestServer("server-a.p12");
        state = tmp.newFolder("state").toPath();
        agent = TestSupport.start(configure(TestSupport.config(server, state)).build(), disks());
        session = server.awaitSession(Duration.ofSeconds(20));
    }

    @After
    public void closeSession() throws Exception {
        if (agent != null) {
            agent.close();
        }
        server.close();
    }

    static String type(Message m) {
        return MessageCodec.type(m);
    }

    /** The message of an error answer; fails for any other answer. */
    static String errorMessage(Message m) {
        if (!(m instanceof Message.ErrorAnswer e)) {
            throw new AssertionError("expected an error, got " + m);
        }
        return e.message();
    }
}
