package org.opendpm.plugin.scenario.oslinux.internal.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.commons.codec.digest.Crypt;
import org.junit.Test;
import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.os.OperatingSystem;
import org.opendpm.api.os.OperatingSystemSpec;
import org.opendpm.api.os.OsType;
import org.opendpm.plugin.scenario.oslinux.internal.TestDatabase;

/** OSI-1: registering operating systems with the guide's naming rules, in the database. */
public class JdbcOperatingSystemsTest {

    private final JdbcOperatingSystems systems = new JdbcOperatingSystems(TestDatabase.create());

    private static OperatingSystemSpec spec(String name) {
        return new OperatingSystemSpec(name, OsType.DEBIAN_12, "pxelinux/debian12/linux",
                "pxelinux/debian12/initrd.gz", "debian12");
    }

    @Test
    public void registersListsChangesAndDeletes() {
        OperatingSystem a = systems.create(spec("Debian-12.11"));
        OperatingSystem b = systems.create(new OperatingSystemSpec("Rocky(9.5)", OsType.RHEL_9,
                "pxelinux/rocky9/vmlinuz", "pxelinux/rocky9/initrd.img", "rocky9.iso"));
        assertThat(systems.list()).extracting(OperatingSystem::name).containsExactly("Debian-12.11", "Rocky(9.5)");
        assertThat(systems.get(b.id()).type()).isEqualTo(OsType.RHEL_9);
        assertThat(systems.find("debian-12.11")).map(OperatingSystem::id).contains(a.id());

        OperatingSystem changed = systems.update(a.id(), new OperatingSystemSpec("Debian-12", OsType.DEBIAN_12,
                "pxelinux/d12/linux", "pxelinux/d12/initrd.gz", "d12"));
        assertThat(systems.get(a.id())).isEqualTo(changed);
        assertThat(changed.kernel()).isEqualTo("pxelinux/d12/linux");

        systems.delete(a.id());
        assertThatThrownBy(() -> systems.get(a.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> systems.delete(a.id())).isInstanceOf(NotFoundException.class);
        assertThat(systems.list()).hasSize(1);
    }

    @Test
    public void aNameIsUniqueIgnoringCase() {
        systems.create(spec("Debian12"));
        assertThatThrownBy(() -> systems.create(spec("DEBIAN12"))).isInstanceOf(ConflictException.class)
                .hasMessageContaining("already registered");
        OperatingSystem other = systems.create(spec("Other"));
        assertThatThrownBy(() -> systems.update(other.id(), spec("debian12"))).isInstanceOf(ConflictException.class);
        // Its own name in another case is no conflict.
        assertThat(systems.update(other.id(), spec("OTHER")).name()).isEqualTo("OTHER");
    }

    /** Each of the guide's rules refused with the field and why, and nothing stored (OSI-1). */
    @Test
    public void eachBrokenNamingRuleIsRefusedNamingTheFieldAndNothingIsStored() {
        record Case(String name, String why) {
        }
        List<Case> cases = List.of(new Case("", "required"), new Case("a".repeat(127), "at most 126"),
                new Case("Debian\"12", "must not contain \""), new Case("Debian;12", "must not contain ;"),
                new Case("Debian\\12", "must not contain \\"), new Case("Linux", "reserved"),
                new Case("linux(gpxe)", "reserved"), new Case("KS", "reserved"), new Case("daemon", "reserved"),
                new Case("pxelinux.cfg", "reserved"), new Case("pxelinux.0", "reserved"), new Case("Built", "reserved"),
                new Case("Debian 12", "letters, digits and ( ) - ."), new Case("Debian_12", "( ) - ."),
                new Case("Débian", "( ) - ."));
        for (Case c : cases) {
            assertThatThrownBy(() -> systems.create(spec(c.name()))).as(c.name())
                    .isInstanceOfSatisfying(ValidationException.class,
                            e -> assertThat(e.field()).isEqualTo("name"))
                    .hasMessageContaining(c.why());
        }
        assertThat(systems.create(spec("a".repeat(126))).name()).hasSize(126);
        assertThat(systems.list()).hasSize(1);
    }

    @Test
    public void pathsAndTypeAreChecked() {
        assertThatThrownBy(() -> systems.create(new OperatingSystemSpec("X", null, "k", "i", "s")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("type"));
        for (String bad : new String[]{ "", "/boot/linux", "a/../../etc/passwd", "a b", "a;reboot", "a//b", "./a",
                "a\\b" }) {
            assertThatThrownBy(() -> systems.create(new OperatingSystemSpec("X", OsType.RHEL_7, bad, "i", "s")))
                    .as(bad)
                    .isInstanceOfSatisfying(ValidationException.class,
                            e -> assertThat(e.field()).isEqualTo("kernel"));
            assertThatThrownBy(() -> systems.create(new OperatingSystemSpec("X", OsType.RHEL_7, "k", bad, "s")))
                    .isInstanceOfSatisfying(ValidationException.class,
                            e -> assertThat(e.field()).isEqualTo("initrd"));
            assertThatThrownBy(() -> systems.create(new OperatingSystemSpec("X", OsType.RHEL_7, "k", "i", bad)))
                    .isInstanceOfSatisfying(ValidationException.class,
                            e -> assertThat(e.field()).isEqualTo("source"));
        }
        assertThat(systems.list()).isEmpty();
    }

    @Test
    public void rootPasswordsAreHashedAsSha512CryptWithARandomSalt() throws Exception {
        String hash = systems.hashPassword("correct horse".toCharArray());
        assertThat(hash).matches("\\$6\\$[./0-9A-Za-z]{16}\\$[./0-9A-Za-z]{86}");
        // crypt(3) with the stored salt gives the same hash back, which is how the installed system checks it.
        assertThat(Crypt.crypt("correct horse", hash)).isEqualTo(hash);
        assertThat(systems.hashPassword("correct horse".toCharArray())).isNotEqualTo(hash);
        // OpenSSL's own SHA-crypt gives the same hash for the same salt: what installers (glibc crypt) compute.
        String salt = hash.substring(3, 19);
        if (Files.isExecutable(Path.of("/usr/bin/openssl"))) {
            Process p = new ProcessBuilder("/usr/bin/openssl", "passwd", "-6", "-salt", salt, "-stdin")
                    .redirectErrorStream(true).start();
            try (var in = p.getOutputStream()) {
                in.write("correct horse\n".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip()).isEqualTo(hash);
        } else if ("true".equals(System.getenv("CI"))) {
            fail("openssl is needed to check SHA-512 crypt hashes");
        } else {
            System.err.println("SKIPPED the OpenSSL cross-check: /usr/bin/openssl is not installed");
        }
        assertThatThrownBy(() -> systems.hashPassword(new char[0])).isInstanceOf(ValidationException.class);
    }
}
