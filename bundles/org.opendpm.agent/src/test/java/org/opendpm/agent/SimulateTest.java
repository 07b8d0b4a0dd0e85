package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.agent.TestSupport.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import org.opendpm.agent.protocol.Message;

/** {@code --simulate N}: many agents in one process for the server's load test. */
@SuppressWarnings("try") // agents live for a try block without being referenced in it
public class SimulateTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void fiftySimulatedAgentsOpenFiftySessionsWithTheirOwnIdentities() throws Exception {
        Path state = tmp.getRoot().toPath().resolve("state");
        try (TestServer server = new TestServer("server-a.p12");
                Agent agent = TestSupport.start(TestSupport.config(server, state).mac(null).name(null)
                        .simulate(50, false, 100).statusInterval(Duration.ofMillis(500)).build())) {
            await(Duration.ofSeconds(60), () -> server.sessions.size() == 50, "50 sessions");
            Set<String> macs = new HashSet<>();
            Set<String> uuids = new HashSet<>();
            for (TestServer.Conn c : server.sessions) {
                macs.add(c.mac());
                uuids.add(c.hello.uuid().orElseThrow());
            }
            assertThat(macs).hasSize(50).contains("02:00:00:00:00:01", "02:00:00:00:00:32");
            assertThat(uuids).hasSize(50);
            assertThat(server.registers.get()).isEqualTo(50);
            try (Stream<Path> files = Files.list(state)) {
                assertThat(files.filter(p -> p.getFileName().toString().startsWith("credential-"))).hasSize(50);
            }
            await(Duration.ofSeconds(5), () -> agent.stats().connected.get() == 50, "50 connected");
            assertThat(agent.statusLine()).startsWith("simulate: 50/50 connected, 0 commands answered");

            // Commands are not run without --simulate-exec.
            Path marker = tmp.getRoot().toPath().resolve("must-not-exist");
            TestServer.Conn one = server.sessions.peek();
            Message.CommandResult r = (Message.CommandResult) one.request(id -> new Message.Command(id, "touch "
                    + marker, 10));
            assertThat(r.exitCode()).isZero();
            assertThat(r.output()).isEqualTo("simulated");
            assertThat(marker).doesNotExist();
            // Counted once the answer has been written, which may be just after the server read it.
            await(Duration.ofSeconds(5), () -> agent.stats().commandsAnswered.get() == 1, "answer counted");
        }
    }

    @Test
    public void simulateExecRunsCommandsForReal() throws Exception {
        Path state = tmp.getRoot().toPath().resolve("state");
        try (TestServer server = new TestServer("server-a.p12");
                Agent agent = TestSupport.start(TestSupport.config(server, state).mac("02:00:00:00:01:00")
                        .simulate(2, true, 100).build())) {
            await(Duration.ofSeconds(30), () -> server.sessions.size() == 2, "2 sessions");
            assertThat(List.of(server.sessions.poll().mac(), server.sessions.peek().mac()))
                    .containsExactlyInAnyOrder("02:00:00:00:01:00", "02:00:00:00:01:01");
            Message r = server.sessions.peek().request(id -> new Message.Command(id, "echo real", 10));
            assertThat(((Message.CommandResult) r).output()).isEqualTo("real\n");
        }
    }
}
