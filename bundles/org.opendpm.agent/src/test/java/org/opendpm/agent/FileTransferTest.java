package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import org.opendpm.agent.protocol.Message;

/** Receiving files (FIL-1): temporary file, size and SHA-256 checked, permissions, atomic rename. */
public class FileTransferTest extends SessionFixture {

    private static final int CHUNK = 256 * 1024;

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** Sends fileBegin, the data in 256 KiB chunks and fileEnd; returns the answer. */
    private Message send(Path folder, String name, byte[] data, long announcedSize, String sha, String perms)
            throws Exception {
        long id = session.nextId();
        long transferId = 1000 + id;
        CompletableFuture<Message> answer = session.expect(id);
        session.send(new Message.FileBegin(id, transferId, folder.toString(), name, announcedSize, sha,
                java.util.Optional.ofNullable(perms)));
        for (int off = 0; off < data.length; off += CHUNK) {
            session.sendData(transferId, data, off, Math.min(CHUNK, data.length - off));
        }
        session.send(new Message.FileEnd(id, transferId));
        return answer.get(30, TimeUnit.SECONDS);
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    @Test
    public void fileArrivesByteExactWithPermissions640() throws Exception {
        Path folder = tmp.newFolder("target").toPath();
        byte[] data = random(700_001);
        Message r = send(folder, "image.bin", data, data.length, sha256(data), "640");

        assertThat(r).isInstanceOf(Message.Ack.class);
        Path file = folder.resolve("image.bin");
        assertThat(Files.readAllBytes(file)).isEqualTo(data);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
        try (var s = Files.list(folder)) {
            assertThat(s).containsExactly(file);
        }
    }

    @Test
    public void existingFileIsReplacedAndEmptyFileWorks() throws Exception {
        Path folder = tmp.newFolder("target").toPath();
        Files.writeString(folder.resolve("conf"), "old content that is longer than the new one");
        byte[] data = "new".getBytes();
        assertThat(send(folder, "conf", data, data.length, sha256(data), "600"))
                .isInstanceOf(Message.Ack.class);
        assertThat(Files.readString(folder.resolve("conf"))).isEqualTo("new");

        assertThat(send(folder, "empty", new byte[0], 0, sha256(new byte[0]), null))
                .isInstanceOf(Message.Ack.class);
        assertThat(folder.resolve("empty")).exists().isEmptyFile();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve("empty"))))
                .isEqualTo("rw-r--r--");
    }

    @Test
    public void shaMismatchLeavesNeitherFileNorTemporaryFile() throws Exception {
        Path folder = tmp.newFolder("target").toPath();
        byte[] data = random(300_000);
        byte[] other = random(300_001);
        Message r = send(folder, "image.bin", data, data.length, sha256(other), "644");

        assertThat(errorMessage(r)).contains("SHA-256 mismatch");
        try (var s = Files.list(folder)) {
            assertThat(s).isEmpty();
        }
        // The link stays usable.
        byte[] ok = random(10);
        assertThat(send(folder, "next", ok, ok.length, sha256(ok), "644")).isInstanceOf(Message.Ack.class);
    }

    @Test
    public void sizeMismatchIsRefusedEitherWay() throws Exception {
        Path folder = tmp.newFolder("target").toPath();
        byte[] data = random(1000);
        assertThat(errorMessage(send(folder, "a", data, 2000, sha256(data), "644")))
                .contains("received 1000 bytes, announced 2000");
        assertThat(errorMessage(send(folder, "b", data, 500, sha256(data), "644")))
                .contains("more data than the announced size of 500 bytes");
        try (var s = Files.list(folder)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    public void namesThatAreNotPlainFileNamesAreRefused() throws Exception {
        Path folder = tmp.newFolder("target").toPath();
        byte[] data = random(100);
        for (String bad : new String[]{ "../x", "a/b", "..", ".", "", "a\\b" }) {
            assertThat(errorMessage(send(folder, bad, data, data.length, sha256(data), "644"))).as(bad)
                    .isEqualTo("'" + bad + "' is not a plain file name");
        }
        assertThat(folder.getParent().resolve("x")).doesNotExist();
        try (var s = Files.list(folder)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    public void missingOrRelativeFolderAndBadPermissionsAreRefused() throws Exception {
        Path missing = tmp.getRoot().toPath().resolve("no-such-folder");
        byte[] data = random(100);
        assertThat(errorMessage(send(missing, "f", data, data.length, sha256(data), "644")))
                .isEqualTo("folder " + missing + " does not exist");
        assertThat(missing).doesNotExist();

        assertThat(errorMessage(send(Path.of("relative"), "f", data, data.length, sha256(data), "644")))
                .contains("is not an absolute path");

        Path folder = tmp.newFolder("target").toPath();
        assertThat(errorMessage(send(folder, "f", data, data.length, sha256(data), "999")))
                .contains("permissions '999' are not three octal digits");
        assertThat(errorMessage(send(folder, "f", data, data.length, "abc", "644"))).contains("is not 64 hex digits");
        try (var s = Files.list(folder)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    public void interruptedTransferLeavesNoTemporaryFile() throws Exception {
        Path folder = tmp.newFolder("target").toPath();
        byte[] data = random(100_000);
        session.send(new Message.FileBegin(77, 7, folder.toString(), "part", 200_000, sha256(data),
                java.util.Optional.of("644")));
        session.sendData(7, data, 0, data.length);
        TestSupport.await(java.time.Duration.ofSeconds(5), () -> {
            try (var s = Files.list(folder)) {
                return s.count() == 1;
            } catch (java.io.IOException e) {
                return false;
            }
        }, "temporary file created");
        session.close();
        TestSupport.await(java.time.Duration.ofSeconds(10), () -> {
            try (var s = Files.list(folder)) {
                return s.count() == 0;
            } catch (java.io.IOException e) {
                return false;
            }
        }, "temporary file removed after the connection dropped");
    }
}
