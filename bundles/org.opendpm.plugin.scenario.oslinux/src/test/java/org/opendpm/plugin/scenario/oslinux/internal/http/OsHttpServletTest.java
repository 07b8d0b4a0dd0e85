package org.opendpm.plugin.scenario.oslinux.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** OSI-3: installation sources are served from the image folder's exports and nothing outside them. */
public class OsHttpServletTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static String[] parts(String path) {
        return path.split("/", -1);
    }

    @Test
    public void aTreeServesItsFilesAndNothingOutside() throws Exception {
        Path exports = tmp.newFolder("exports").toPath();
        Path tree = Files.createDirectories(exports.resolve("rocky9/BaseOS/Packages"));
        Files.writeString(tree.resolve("a.rpm"), "rpm");
        Files.writeString(exports.resolve("rocky9/.treeinfo"), "[general]");
        Files.writeString(exports.resolve("other.txt"), "other OS");
        Files.writeString(tmp.getRoot().toPath().resolve("secret"), "secret");
        Files.createSymbolicLink(exports.resolve("rocky9/escape"), tmp.getRoot().toPath().resolve("secret"));
        Files.createSymbolicLink(exports.resolve("rocky9/sibling"), exports.resolve("other.txt"));

        assertThat(OsHttpServlet.sourceFile(exports, "rocky9", parts("Rocky/BaseOS/Packages/a.rpm")))
                .contains(tree.resolve("a.rpm").toRealPath());
        assertThat(OsHttpServlet.sourceFile(exports, "rocky9", parts("Rocky/.treeinfo"))).isPresent();
        assertThat(OsHttpServlet.sourceFile(exports, "rocky9", parts("Rocky/BaseOS"))).as("a folder").isEmpty();
        assertThat(OsHttpServlet.sourceFile(exports, "rocky9", parts("Rocky/missing"))).isEmpty();
        assertThat(OsHttpServlet.sourceFile(exports, "rocky9", parts("Rocky/escape"))).as("link out").isEmpty();
        assertThat(OsHttpServlet.sourceFile(exports, "rocky9", parts("Rocky/sibling"))).as("another source")
                .isEmpty();
        assertThat(OsHttpServlet.sourceFile(exports, "missing", parts("Rocky/a"))).isEmpty();
    }

    @Test
    public void anIsoIsServedUnderItsOwnNameOnly() throws Exception {
        Path exports = tmp.newFolder("exports").toPath();
        Files.writeString(exports.resolve("rhel-7.9.iso"), "iso");
        assertThat(OsHttpServlet.sourceFile(exports, "rhel-7.9.iso", parts("RHEL7/rhel-7.9.iso")))
                .isEqualTo(Optional.of(exports.resolve("rhel-7.9.iso").toRealPath()));
        assertThat(OsHttpServlet.sourceFile(exports, "rhel-7.9.iso", parts("RHEL7/other.iso"))).isEmpty();
        assertThat(OsHttpServlet.sourceFile(exports, "rhel-7.9.iso", parts("RHEL7/rhel-7.9.iso/x"))).isEmpty();
    }

    @Test
    public void aSourceThatIsALinkOutOfExportsIsRefused() throws Exception {
        Path exports = tmp.newFolder("exports").toPath();
        Path outside = tmp.newFolder("outside").toPath();
        Files.writeString(outside.resolve("f"), "x");
        Files.createSymbolicLink(exports.resolve("out"), outside);
        assertThat(OsHttpServlet.sourceFile(exports, "out", parts("OS/f"))).isEmpty();
    }
}
