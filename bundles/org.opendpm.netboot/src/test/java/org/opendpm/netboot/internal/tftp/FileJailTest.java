package org.opendpm.netboot.internal.tftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.netboot.internal.tftp.FileJail.JailException;

/** The root is a jail: nothing outside it is read or written (NET-1; "what must never happen"). */
public class FileJailTest {

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private Path root;
    private Path sibling;
    private FileJail jail;

    @Before
    public void setUp() throws Exception {
        Path base = tmp.getRoot().toPath();
        root = Files.createDirectories(base.resolve("tftp"));
        sibling = Files.createDirectories(base.resolve("tftp2")); // shares the root's prefix
        Files.writeString(sibling.resolve("secret"), "secret");
        Files.writeString(base.resolve("outside.txt"), "outside");
        Files.createDirectories(root.resolve("pxelinux.cfg"));
        Files.createDirectories(root.resolve("upload/sub"));
        Files.writeString(root.resolve("pxelinux.0"), "boot");
        Files.writeString(root.resolve("pxelinux.cfg/default"), "menu");
        Files.createSymbolicLink(root.resolve("to-sibling"), sibling.resolve("secret"));
        Files.createSymbolicLink(root.resolve("to-sibling-dir"), sibling);
        Files.createSymbolicLink(root.resolve("to-outside"), base.resolve("outside.txt"));
        Files.createSymbolicLink(root.resolve("to-etc-passwd"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(root.resolve("alias.0"), root.resolve("pxelinux.0"));
        jail = new FileJail(root, "upload");
    }

    private void refusedRead(String name) {
        assertThatThrownBy(() -> jail.resolveForRead(FileJail.normalize(name))).as(name)
                .isInstanceOf(JailException.class);
    }

    @Test
    public void servesFilesInsideTheRoot() throws Exception {
        assertThat(jail.resolveForRead(FileJail.normalize("pxelinux.0")))
                .isEqualTo(root.toRealPath().resolve("pxelinux.0"));
        assertThat(jail.resolveForRead(FileJail.normalize("pxelinux.cfg/default")))
                .endsWith(Path.of("pxelinux.cfg", "default"));
        assertThat(jail.resolveForRead(FileJail.normalize("./pxelinux.cfg//default")))
                .endsWith(Path.of("pxelinux.cfg", "default"));
        // Windows boot loaders use backslashes as separators
        assertThat(jail.resolveForRead(FileJail.normalize("pxelinux.cfg\\default")))
                .endsWith(Path.of("pxelinux.cfg", "default"));
        // a symbolic link that stays inside the root is fine
        assertThat(jail.resolveForRead(FileJail.normalize("alias.0")))
                .isEqualTo(root.toRealPath().resolve("pxelinux.0"));
    }

    @Test
    public void dotDotIsRefused() {
        refusedRead("../../etc/passwd");
        refusedRead("pxelinux.cfg/../../outside.txt");
        refusedRead("pxelinux.cfg/../pxelinux.0"); // harmless, but '..' is never needed
        refusedRead("..");
    }

    @Test
    public void absolutePathsStayInTheRootAndDriveLettersAreRefused() throws Exception {
        // A leading slash names the root (GRUB asks "/grub/grub.cfg"): /etc/passwd is <root>/etc/passwd, never the
        // system's, and does not exist there.
        assertThat(FileJail.normalize("/etc/passwd")).isEqualTo("etc/passwd");
        assertThat(FileJail.normalize("//etc/passwd")).isEqualTo("etc/passwd");
        assertThat(FileJail.normalize("\\etc\\passwd")).isEqualTo("etc/passwd");
        assertThatThrownBy(() -> jail.resolveForRead(FileJail.normalize("/etc/passwd")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class).hasMessageContaining("tftp");
        assertThat(jail.resolveForRead(FileJail.normalize("/pxelinux.0")))
                .isEqualTo(root.toRealPath().resolve("pxelinux.0"));
        refusedRead("C:\\Windows\\win.ini");
        refusedRead("c:/boot.ini");
        refusedRead("/../etc/passwd");
    }

    @Test
    public void backslashTricksAreRefused() {
        refusedRead("..\\..\\etc\\passwd");
        refusedRead("pxelinux.cfg\\..\\..\\outside.txt");
        refusedRead("pxelinux.cfg/..\\..\\outside.txt");
    }

    @Test
    public void siblingFolderSharingThePrefixIsRefused() {
        refusedRead("../tftp2/secret");
        refusedRead("to-sibling"); // real path /…/tftp2/secret starts with the string /…/tftp
        refusedRead("to-sibling-dir/secret");
    }

    @Test
    public void symlinksOutOfTheRootAreRefused() {
        refusedRead("to-outside");
        refusedRead("to-etc-passwd");
    }

    @Test
    public void oddNamesAreRefused() {
        refusedRead("");
        refusedRead(".");
        refusedRead("./");
        refusedRead("bad\u0001name");
        refusedRead("pxelinux.cfg"); // a folder is not a file
    }

    @Test
    public void missingFileIsNotFoundNotAViolation() {
        assertThatThrownBy(() -> jail.resolveForRead(FileJail.normalize("pxelinux.cfg/01-aa-bb-cc-dd-ee-ff")))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    public void writesStayInTheWriteFolder() throws Exception {
        assertThat(jail.resolveForWrite(FileJail.normalize("upload/new.bin")))
                .isEqualTo(root.toRealPath().resolve("upload/new.bin"));
        assertThat(jail.resolveForWrite(FileJail.normalize("upload\\sub\\x")))
                .isEqualTo(root.toRealPath().resolve("upload/sub/x"));
        assertThatThrownBy(() -> jail.resolveForWrite(FileJail.normalize("pxelinux.0")))
                .isInstanceOf(JailException.class);
        assertThatThrownBy(() -> jail.resolveForWrite(FileJail.normalize("upload/missing/x")))
                .isInstanceOf(JailException.class);
        assertThatThrownBy(() -> jail.resolveForWrite(FileJail.normalize("upload/sub")))
                .isInstanceOf(JailException.class);
        Files.createSymbolicLink(root.resolve("upload/out"), sibling);
        assertThatThrownBy(() -> jail.resolveForWrite(FileJail.normalize("upload/out/x")))
                .isInstanceOf(JailException.class);
    }

    @Test
    public void writingIsOffWithoutWriteFolder() throws Exception {
        FileJail readOnly = new FileJail(root, "");
        assertThat(readOnly.writeDir()).isEmpty();
        assertThatThrownBy(() -> readOnly.resolveForWrite("upload/x")).isInstanceOf(JailException.class);
    }

    @Test
    public void writeFolderMustBeInsideTheRoot() {
        assertThatThrownBy(() -> new FileJail(root, "../tftp2")).isInstanceOf(java.io.IOException.class);
        assertThatThrownBy(() -> new FileJail(root, sibling.toString())).isInstanceOf(java.io.IOException.class);
    }
}
