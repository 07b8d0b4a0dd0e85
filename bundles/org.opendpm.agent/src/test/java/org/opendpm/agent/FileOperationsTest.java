package org.opendpm.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** {@code deleteFile} and {@code listFolder} (FIL-1). */
public class FileOperationsTest extends SessionFixture {

    private ObjectNode delete(Path p) throws Exception {
        return session.request(request("deleteFile").put("path", p.toString()));
    }

    @Test
    public void deletesAFileButNotAFolderNorWhatIsMissing() throws Exception {
        Path dir = tmp.newFolder("d").toPath();
        Path file = Files.writeString(dir.resolve("old.log"), "x");
        Path sub = Files.createDirectory(dir.resolve("sub"));

        assertThat(delete(file).get("type").asText()).isEqualTo("ack");
        assertThat(file).doesNotExist();

        ObjectNode folder = delete(sub);
        assertThat(folder.get("type").asText()).isEqualTo("error");
        assertThat(folder.get("message").asText()).isEqualTo(sub + " is a folder; only files are deleted");
        assertThat(sub).isDirectory();

        ObjectNode missing = delete(file);
        assertThat(missing.get("message").asText()).isEqualTo("file " + file + " does not exist");

        ObjectNode relative = session.request(request("deleteFile").put("path", "old.log"));
        assertThat(relative.get("message").asText()).isEqualTo("'old.log' is not an absolute path");
    }

    @Test
    public void listsAFolderSortedByName() throws Exception {
        Path dir = tmp.newFolder("d").toPath();
        Path b = Files.writeString(dir.resolve("b.txt"), "12345");
        Files.setPosixFilePermissions(b, PosixFilePermissions.fromString("rw-r-----"));
        Files.setLastModifiedTime(b, FileTime.from(Instant.parse("2026-01-01T00:00:00.750Z")));
        Files.createDirectory(dir.resolve("a-folder"));

        ObjectNode r = session.request(request("listFolder").put("path", dir.toString()));

        assertThat(r.get("type").asText()).isEqualTo("folderListing");
        JsonNode entries = r.get("entries");
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).get("name").asText()).isEqualTo("a-folder");
        assertThat(entries.get(0).get("directory").asBoolean()).isTrue();
        JsonNode file = entries.get(1);
        assertThat(file.get("name").asText()).isEqualTo("b.txt");
        assertThat(file.get("directory").asBoolean()).isFalse();
        assertThat(file.get("size").asLong()).isEqualTo(5);
        assertThat(file.get("modified").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(file.get("permissions").asText()).isEqualTo("640");
        assertThat(r.has("truncated")).isFalse();
    }

    @Test
    public void listingAMissingFolderOrAFileIsRefused() throws Exception {
        Path dir = tmp.getRoot().toPath().resolve("gone");
        ObjectNode missing = session.request(request("listFolder").put("path", dir.toString()));
        assertThat(missing.get("type").asText()).isEqualTo("error");
        assertThat(missing.get("message").asText()).isEqualTo("folder " + dir + " does not exist");

        Path file = Files.writeString(tmp.newFile("f").toPath(), "x");
        ObjectNode notFolder = session.request(request("listFolder").put("path", file.toString()));
        assertThat(notFolder.get("message").asText()).isEqualTo(file + " is not a folder");
    }
}
