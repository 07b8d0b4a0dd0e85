package org.opendpm.packages.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.packages.InstallerKind;
import org.opendpm.api.packages.PackageFile;
import org.opendpm.api.packages.PackageKind;
import org.opendpm.api.packages.PackageSpec;
import org.opendpm.api.packages.RegisteredPackage;
import org.opendpm.api.packages.Urgency;
import org.opendpm.packages.internal.TestDatabase;
import org.opendpm.store.Database;

/** The package registry (PKG-1) over a real database and a temporary Folder for Image. */
public class JdbcPackagesTest {

    private static final String HELLO_SHA = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    /** One schema for the class: migrating it takes seconds. */
    private static Database db;
    private Path images;
    private JdbcPackages packages;

    @BeforeClass
    public static void database() {
        db = TestDatabase.create();
    }

    @Before
    public void setUp() throws IOException {
        db.inTransaction(c -> {
            try (var s = c.createStatement()) {
                s.executeUpdate("DELETE FROM software_package");
            }
            return null;
        });
        images = tmp.newFolder("images").toPath();
        packages = new JdbcPackages(db, () -> images, Clock.systemUTC(), 1024);
    }

    static PackageSpec patch(String name) {
        return new PackageSpec(name, PackageKind.LINUX_PATCH, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Urgency.HIGH, InstallerKind.DEB, Optional.empty(), List.of(0), List.of(), 30,
                Optional.empty());
    }

    static PackageSpec with(PackageSpec s, UnaryOperator<Builder> change) {
        return change.apply(new Builder(s)).build();
    }

    /** Changes one field of a spec. */
    static final class Builder {
        String name;
        PackageKind kind;
        Optional<String> version;
        Optional<String> msNumber;
        Optional<String> displayName;
        Optional<String> packageId;
        Urgency urgency;
        InstallerKind installer;
        Optional<String> command;
        List<Integer> success;
        List<Integer> reboot;
        int timeout;
        Optional<String> description;

        Builder(PackageSpec s) {
            name = s.name();
            kind = s.kind();
            version = s.version();
            msNumber = s.msNumber();
            displayName = s.displayName();
            packageId = s.packageId();
            urgency = s.urgency();
            installer = s.installer();
            command = s.command();
            success = s.successCodes();
            reboot = s.rebootCodes();
            timeout = s.timeoutMinutes();
            description = s.description();
        }

        PackageSpec build() {
            return new PackageSpec(name, kind, version, msNumber, displayName, packageId, urgency, installer, command,
                    success, reboot, timeout, description);
        }
    }

    private static void refused(Runnable r, String field, String message) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(ValidationException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.getMessage()).contains(message);
        });
    }

    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    public void aPackageIsRegisteredWithItsFilesInOrder_PKG1() throws IOException {
        RegisteredPackage p = packages.create(patch("openssl-fix"));
        PackageFile a = packages.addFile(p.id(), "libssl_3.0.deb", text("hello\n"), Optional.of(HELLO_SHA));
        packages.addFile(p.id(), "openssl_3.0.deb", text("world\n"), Optional.empty());

        RegisteredPackage read = packages.get(p.id());
        assertThat(a).isEqualTo(new PackageFile("libssl_3.0.deb", 6, HELLO_SHA));
        assertThat(read.files()).extracting(PackageFile::name).containsExactly("libssl_3.0.deb", "openssl_3.0.deb");
        assertThat(read.spec()).isEqualTo(p.spec());
        assertThat(packages.find("OPENSSL-FIX")).contains(read);
        Path stored = images.resolve(".packages/" + p.id() + "/libssl_3.0.deb");
        assertThat(stored).hasContent("hello");
        assertThat(packages.verifiedFiles(p.id())).containsExactly(stored, stored.resolveSibling("openssl_3.0.deb"));
        try (Stream<Path> files = Files.list(stored.getParent())) {
            assertThat(files).as("no temporary file left").hasSize(2);
        }
    }

    @Test
    public void eachKindNeedsItsIdentifyingData_PKG1() {
        PackageSpec sp = with(patch("sp"), b -> {
            b.kind = PackageKind.SERVICE_PACK;
            b.installer = InstallerKind.SCRIPT;
            b.command = Optional.of("setup.exe /quiet");
            return b;
        });
        refused(() -> packages.create(sp), "version", "major/minor version or an ID");
        refused(() -> packages.create(with(sp, b -> {
            b.version = Optional.of("three");
            return b;
        })), "version", "major.minor");
        assertThat(packages.create(with(sp, b -> {
            b.version = Optional.of("3.1");
            return b;
        })).spec().version()).contains("3.1");
        PackageSpec hotfix = with(sp, b -> {
            b.name = "hf";
            b.kind = PackageKind.HOTFIX;
            return b;
        });
        refused(() -> packages.create(hotfix), "msNumber", "MS number or an ID");
        assertThat(packages.create(with(hotfix, b -> {
            b.packageId = Optional.of("KB4012212");
            return b;
        })).spec().packageId()).contains("KB4012212");
        PackageSpec app = with(patch("app"), b -> {
            b.kind = PackageKind.APPLICATION;
            return b;
        });
        refused(() -> packages.create(app), "displayName", "display name or an ID");
        refused(() -> packages.create(with(app, b -> {
            b.displayName = Optional.of("App");
            b.version = Optional.of("1.0");
            return b;
        })), "version", "for service packs only");
        refused(() -> packages.create(with(hotfix, b -> {
            b.msNumber = Optional.of("MS17-010");
            b.installer = InstallerKind.DEB;
            b.command = Optional.empty();
            return b;
        })), "installer", "installed by its command (SCRIPT)");
    }

    @Test
    public void badInputIsRefusedNamingTheFieldAndNothingIsStored_PKG1() {
        refused(() -> packages.create(patch("")), "name", "a name is required");
        refused(() -> packages.create(patch("a;b")), "name", "none of");
        refused(() -> packages.create(patch("x".repeat(127))), "name", "at most 126");
        refused(() -> packages.create(with(patch("p"), b -> {
            b.urgency = null;
            return b;
        })), "urgency", "HIGHEST, HIGH, NORMAL or LOW");
        refused(() -> packages.create(with(patch("p"), b -> {
            b.command = Optional.of("rm -rf /");
            return b;
        })), "command", "takes no command");
        refused(() -> packages.create(with(patch("p"), b -> {
            b.installer = InstallerKind.SCRIPT;
            return b;
        })), "command", "install command is required");
        refused(() -> packages.create(with(patch("p"), b -> {
            b.success = List.of();
            return b;
        })), "successCodes", "1 to 32");
        refused(() -> packages.create(with(patch("p"), b -> {
            b.reboot = List.of(0);
            return b;
        })), "rebootCodes", "both a success");
        refused(() -> packages.create(with(patch("p"), b -> {
            b.timeout = 0;
            return b;
        })), "timeoutMinutes", "1 to 1440");
        refused(() -> packages.create(with(patch("p"), b -> {
            b.description = Optional.of("d".repeat(1001));
            return b;
        })), "description", "more than 1000");
        assertThat(packages.list()).isEmpty();

        packages.create(patch("Kernel-Fix"));
        assertThatThrownBy(() -> packages.create(patch("kernel-fix"))).isInstanceOf(ConflictException.class)
                .hasMessageContaining("already registered");
    }

    @Test
    public void badUploadsLeaveNothingBehind_PKG1() throws IOException {
        long id = packages.create(patch("p")).id();
        refused(() -> packages.addFile(id, "../evil.deb", text("x"), Optional.empty()), "name", "plain file name");
        refused(() -> packages.addFile(id, ".hidden", text("x"), Optional.empty()), "name", "plain file name");
        refused(() -> packages.addFile(id, "big.deb", new ByteArrayInputStream(new byte[1025]), Optional.empty()),
                "content", "larger than the bound of 1024 bytes");
        refused(() -> packages.addFile(id, "bad.deb", text("hello\n"), Optional.of("0".repeat(64))), "sha256",
                "damaged on the way");
        refused(() -> packages.addFile(id, "bad.deb", text("hello\n"), Optional.of("xyz")), "sha256",
                "64 hex digits");
        refused(() -> packages.addFile(id, "empty.deb", text(""), Optional.empty()), "content", "empty");
        assertThat(packages.get(id).files()).isEmpty();
        try (Stream<Path> files = Files.list(images.resolve(".packages/" + id))) {
            assertThat(files).as("no temporary file left").isEmpty();
        }
        assertThatThrownBy(() -> packages.addFile(999, "a.deb", text("x"), Optional.empty()))
                .isInstanceOf(NotFoundException.class);
        packages.addFile(id, "a.deb", text("x"), Optional.empty());
        assertThatThrownBy(() -> packages.addFile(id, "a.deb", text("y"), Optional.empty()))
                .isInstanceOf(ConflictException.class).hasMessageContaining("delete it first");
        assertThat(images.resolve(".packages/" + id + "/a.deb")).hasContent("x");
    }

    @Test
    public void aFileChangedOnDiskIsNotInstalled() throws IOException {
        long id = packages.create(patch("p")).id();
        assertThatThrownBy(() -> packages.verifiedFiles(id)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("has no files to install");
        packages.addFile(id, "a.deb", text("hello\n"), Optional.empty());
        Files.writeString(images.resolve(".packages/" + id + "/a.deb"), "HELLO\n");
        assertThatThrownBy(() -> packages.verifiedFiles(id)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("a.deb changed since it was uploaded");
    }

    @Test
    public void deletingAPackageRemovesItsFiles() throws IOException {
        long id = packages.create(patch("p")).id();
        packages.addFile(id, "a.deb", text("x"), Optional.empty());
        packages.addFile(id, "b.deb", text("y"), Optional.empty());
        packages.deleteFile(id, "a.deb");
        assertThat(packages.get(id).files()).extracting(PackageFile::name).containsExactly("b.deb");
        packages.addFile(id, "a.deb", text("z"), Optional.empty());
        assertThat(packages.get(id).files()).extracting(PackageFile::name).containsExactly("b.deb", "a.deb");
        packages.delete(id);
        assertThat(images.resolve(".packages/" + id)).doesNotExist();
        assertThatThrownBy(() -> packages.get(id)).isInstanceOf(NotFoundException.class);
    }
}
