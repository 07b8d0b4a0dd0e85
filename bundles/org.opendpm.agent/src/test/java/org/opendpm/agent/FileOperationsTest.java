package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

import org.junit.Test;

import org.opendpm.agent.protocol.Message;

/** {@code deleteFile} and {@code listFolder} (FIL-1). */
public class FileOperationsTest extends SessionFixture {

    private Message delete(Path p) throws Exception {
        return session.request(id -> new Message.DeleteFile(id, p.toString()));
    }

    @Test
    public void deletesAFileButNotAFolderNorWhatIsMissing() throws Exception {
        Path dir = tmp.newFolder("d").toPath();
        Path file = Files.writeString(dir.resolve("old.log"), "x");
        Path sub = Files.createDirectory(dir.resolve("sub"));

        assertThat(delete(file)).isInstanceOf(Message.Ack.class);
        assertThat(file).doesNotExist();

        assertThat(errorMessage(delete(sub))).isEqualTo(sub + " is a folder; only files are deleted");
        assertThat(sub).isDirectory();

        assertThat(errorMessage(delete(file))).isEqualTo("file " + file + " does not exist");

        Message relative = session.request(id -> new Message.DeleteFile(id, "old.log"));
        assertThat(errorMessage(relative)).isEqualTo("'old.log' is not an absolute path");
    }

    @Test
    public void listsAFolderSortedByName() throws Exception {
        Path dir = tmp.newFolder("d").toPath();
        Path b = Files.writeString(dir.resolve("b.txt"), "12345");
        Files.setPosixFilePermissions(b, PosixFilePermissions.fromString("rw-r-----"));
        Files.setLastModifiedTime(b, FileTime.from(Instant.parse("2026-01-01T00:00:00.750Z")));
        Files.createDirectory(dir.resolve("a-folder"));

        Message.FolderListing r = (Message.FolderListing) session.request(id -> new Message.ListFolder(id,
                dir.toString()));

        assertThat(r.entries()).hasSize(2);
        assertThat(r.entries().get(0).name()).isEqualTo("a-folder");
        assertThat(r.entries().get(0).directory()).isTrue();
        assertThat(r.entries().get(1)).isEqualTo(new Message.FolderListing.Entry("b.txt", false, 5,
                Instant.parse("2026-01-01T00:00:00Z"), "640"));
        assertThat(r.truncated()).isFalse();
    }

    @Test
    public void listingAMissingFolderOrAFileIsRefused() throws Exception {
        Path dir = tmp.getRoot().toPath().resolve("gone");
        Message missing = session.request(id -> new Message.ListFolder(id, dir.toString()));
        assertThat(errorMessage(missing)).isEqualTo("folder " + dir + " does not exist");

        Path file = Files.writeString(tmp.newFile("f").toPath(), "x");
        Message notFolder = session.request(id -> new Message.ListFolder(id, file.toString()));
        assertThat(errorMessage(notFolder)).isEqualTo(file + " is not a folder");
    }
}
