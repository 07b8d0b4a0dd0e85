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

/** {@code cancel}: the agent stops the request and answers it with the error code {@code cancelled}. */
public class CancelTest extends SessionFixture {

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    public void aCancelledCommandHasItsProcessTreeKilled() throws Exception {
        Path pids = tmp.getRoot().toPath().resolve("pids");
        // The shell, a background child and a foreground child: all three must go.
        String line = "sleep 600 & echo $$ $! > " + pids + ".tmp; mv " + pids + ".tmp " + pids + "; sleep 600";
        long id = session.nextId();
        CompletableFuture<Message> answer = session.expect(id);
        session.send(new Message.Command(id, line, 3600));
        await(Duration.ofSeconds(10), () -> Files.exists(pids), "the command started");
        String[] ids = Files.readString(pids).trim().split(" ");
        long shell = Long.parseLong(ids[0]);
        long background = Long.parseLong(ids[1]);
        assertThat(alive(shell)).isTrue();
        assertThat(alive(background)).isTrue();

        session.send(new Message.Cancel(id));
        Message m = answer.get(10, TimeUnit.SECONDS);
        assertThat(m).isEqualTo(new Message.ErrorAnswer(id, "cancelled", "cancelled by the server"));
        await(Duration.ofSeconds(5), () -> !alive(shell) && !alive(background), "the process tree is gone");
        Thread.sleep(500);
        assertThat(session.unsolicited).as("no second answer after the cancel").isEmpty();

        // The session goes on.
        Message.CommandResult after = (Message.CommandResult) session.request(i -> new Message.Command(i, "echo on",
                10));
        assertThat(after.output()).isEqualTo("on\n");
    }

    @Test
    public void aCancelledFileTransferLeavesNoTemporaryFileAndIgnoresTheRest() throws Exception {
        Path folder = tmp.newFolder("target").toPath();
        byte[] data = new byte[100_000];
        long id = session.nextId();
        CompletableFuture<Message> answer = session.expect(id);
        session.send(new Message.FileBegin(id, 9, folder.toString(), "f", 200_000, "ab".repeat(32),
                java.util.Optional.empty()));
        session.sendData(9, data, 0, data.length);
        await(Duration.ofSeconds(5), () -> folder.toFile().list().length == 1, "temporary file created");
        session.send(new Message.Cancel(id));
        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(new Message.ErrorAnswer(id, "cancelled",
                "cancelled by the server"));
        assertThat(folder.toFile().list()).isEmpty();
        // Data and fileEnd still on the way are dropped without a second answer.
        session.sendData(9, data, 0, data.length);
        session.send(new Message.FileEnd(id, 9));
        assertThat(session.request(i -> new Message.DeleteFile(i, folder.resolve("none").toString())))
                .isInstanceOf(Message.ErrorAnswer.class);
        assertThat(session.unsolicited).isEmpty();
    }

    @Test
    public void aCancelForNoRunningRequestIsIgnored() throws Exception {
        session.send(new Message.Cancel(424242));
        assertThat(((Message.CommandResult) session.request(i -> new Message.Command(i, "echo ok", 10))).output())
                .isEqualTo("ok\n");
        assertThat(session.unsolicited).isEmpty();
    }
}
