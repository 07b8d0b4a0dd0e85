package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.opendpm.agent.TestSupport.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code command} requests (EXE-1/EXE-9: the server runs scenario steps through the agent). */
public class CommandTest extends SessionFixture {

    @Override
    protected AgentConfig.Builder configure(AgentConfig.Builder b) {
        server.heartbeatSeconds = 1;
        return b;
    }

    private ObjectNode command(String commandLine, int timeoutSeconds) throws Exception {
        return session.request(request("command").put("commandLine", commandLine).put("timeoutSeconds",
                timeoutSeconds));
    }

    @Test
    public void exitCodeAndMergedOutputAreReported() throws Exception {
        ObjectNode ok = command("echo out; echo err >&2", 30);
        assertThat(ok.get("type").asText()).isEqualTo("commandResult");
        assertThat(ok.get("exitCode").asInt()).isZero();
        assertThat(ok.get("output").asText()).isEqualTo("out\nerr\n");

        ObjectNode failed = command("printf 'broken'; exit 3", 30);
        assertThat(failed.get("exitCode").asInt()).isEqualTo(3);
        assertThat(failed.get("output").asText()).isEqualTo("broken");

        ObjectNode missing = command("/no/such/program", 30);
        assertThat(missing.get("exitCode").asInt()).isEqualTo(127);
        assertThat(missing.get("output").asText()).contains("/no/such/program");
    }

    @Test
    public void commandPastItsTimeoutIsKilledWithItsChildrenAndReportsMinusOne() throws Exception {
        Path dir = tmp.newFolder("pids").toPath();
        String cmd = "echo started; echo $$ > " + dir.resolve("shell") + "; sleep 60 & echo $! > "
                + dir.resolve("child") + "; wait";
        long t0 = System.nanoTime();
        ObjectNode r = command(cmd, 1);
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;

        assertThat(r.get("exitCode").asInt()).isEqualTo(-1);
        assertThat(r.get("output").asText()).isEqualTo("started\n");
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
        ObjectNode r = command("head -c 100000 /dev/zero | tr '\\0' a; printf END", 30);
        String out = r.get("output").asText();
        assertThat(out).hasSize(64 * 1024).endsWith("aaaEND").startsWith("aaa");
        assertThat(r.get("exitCode").asInt()).isZero();
    }

    @Test
    public void heartbeatsAndOtherRequestsContinueWhileACommandRuns() throws Exception {
        long id = session.nextId();
        CompletableFuture<ObjectNode> slow = session.expect(id);
        session.send(request("command").put("id", id).put("commandLine", "sleep 3; echo slow")
                .put("timeoutSeconds", 30));
        int before = session.heartbeats.get();

        ObjectNode quick = command("echo quick", 30);
        assertThat(quick.get("output").asText()).isEqualTo("quick\n");
        assertThat(slow).isNotDone();

        ObjectNode slowResult = slow.get(20, TimeUnit.SECONDS);
        assertThat(slowResult.get("output").asText()).isEqualTo("slow\n");
        // heartbeatSeconds = 1: at least two during the 3 s the command ran.
        assertThat(session.heartbeats.get() - before).isGreaterThanOrEqualTo(2);
    }

    @Test
    public void malformedCommandIsAnsweredWithAnError() throws Exception {
        ObjectNode noLine = session.request(request("command").put("timeoutSeconds", 5));
        assertThat(noLine.get("type").asText()).isEqualTo("error");
        assertThat(noLine.get("code").asText()).isEqualTo("failed");
        assertThat(noLine.get("message").asText()).contains("commandLine");

        ObjectNode zero = command("true", 0);
        assertThat(zero.get("type").asText()).isEqualTo("error");
        assertThat(zero.get("message").asText()).contains("timeoutSeconds must be at least 1");
    }
}
