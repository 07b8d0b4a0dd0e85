package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.agent.TestSupport.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import org.opendpm.agent.protocol.Message;

/** {@code command} requests (EXE-1/EXE-9: the server runs scenario steps through the agent). */
public class CommandTest extends SessionFixture {

    @Override
    protected AgentConfig.Builder configure(AgentConfig.Builder b) {
        server.heartbeatSeconds = 1;
        return b;
    }

    private Message command(String commandLine, int timeoutSeconds) throws Exception {
        return session.request(id -> new Message.Command(id, commandLine, timeoutSeconds));
    }

    private Message.CommandResult result(String commandLine, int timeoutSeconds) throws Exception {
        return (Message.CommandResult) command(commandLine, timeoutSeconds);
    }

    @Test
    public void exitCodeAndMergedOutputAreReported() throws Exception {
        Message.CommandResult ok = result("echo out; echo err >&2", 30);
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.output()).isEqualTo("out\nerr\n");

        Message.CommandResult failed = result("printf 'broken'; exit 3", 30);
        assertThat(failed.exitCode()).isEqualTo(3);
        assertThat(failed.output()).isEqualTo("broken");

        Message.CommandResult missing = result("/no/such/program", 30);
        assertThat(missing.exitCode()).isEqualTo(127);
        assertThat(missing.output()).contains("/no/such/program");
    }

    @Test
    public void commandPastItsTimeoutIsKilledWithItsChildrenAndReportsMinusOne() throws Exception {
        Path dir = tmp.newFolder("pids").toPath();
        String cmd = "echo started; echo $$ > " + dir.resolve("shell") + "; sleep 60 & echo $! > "
                + dir.resolve("child") + "; wait";
        long t0 = System.nanoTime();
        Message.CommandResult r = result(cmd, 1);
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;

        assertThat(r.exitCode()).isEqualTo(-1);
        assertThat(r.output()).isEqualTo("started\n");
        assertThat(tookMillis).isLessThan(10_000);
        long shell = Long.parseLong(Files.readString(dir.resolve("shell")).trim());
        long child = Long.parseLong(Files.readString(dir.resolve("child")).trim());
        await(Duration.ofSeconds(5), () -> !alive(shell) && !alive(child), "shell and sleep gone");
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    public void outputIsCutToItsLast64KiB() throws Exception {
        // 100,000 'a', then a marker: the answer keeps the last 65,536 bytes.
        Message.CommandResult r = result("head -c 100000 /dev/zero | tr '\\0' a; printf END", 30);
        String out = r.output();
        assertThat(out).hasSize(64 * 1024).endsWith("aaaEND").startsWith("aaa");
        assertThat(r.exitCode()).isZero();
    }

    @Test
    public void heartbeatsAndOtherRequestsContinueWhileACommandRuns() throws Exception {
        long id = session.nextId();
        CompletableFuture<Message> slow = session.expect(id);
        session.send(new Message.Command(id, "sleep 3; echo slow", 30));
        int before = session.heartbeats.get();

        assertThat(result("echo quick", 30).output()).isEqualTo("quick\n");
        assertThat(slow).isNotDone();

        Message slowResult = slow.get(20, TimeUnit.SECONDS);
        assertThat(((Message.CommandResult) slowResult).output()).isEqualTo("slow\n");
        // heartbeatSeconds = 1: at least two during the 3 s the command ran.
        assertThat(session.heartbeats.get() - before).isGreaterThanOrEqualTo(2);
    }

    @Test
    public void malformedCommandIsAnsweredWithAnError() throws Exception {
        Message noLine = session.requestUnknown("command", "\"timeoutSeconds\":5");
        assertThat(((Message.ErrorAnswer) noLine).code()).isEqualTo("failed");
        assertThat(errorMessage(noLine)).contains("'command' has no string member 'commandLine'");

        assertThat(errorMessage(command("true", 0))).contains("timeoutSeconds must be at least 1");
    }
}
