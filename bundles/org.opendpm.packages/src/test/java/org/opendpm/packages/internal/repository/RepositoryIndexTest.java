package org.opendpm.packages.internal.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.Test;
import org.opendpm.api.ValidationException;
import org.opendpm.api.packages.InstallerKind;
import org.opendpm.api.packages.PackageKind;
import org.opendpm.api.packages.Urgency;

/** The repository index parser (PKG-3): the good index and every bad input refused with its cause. */
public class RepositoryIndexTest {

    private static final String SHA = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

    static String file(String name) {
        return "{\"name\": \"" + name + "\", \"size\": 6, \"sha256\": \"" + SHA + "\"}";
    }

    static String pkg(String name, String extra) {
        return "{\"name\": \"" + name + "\", \"kind\": \"APPLICATION\", \"displayName\": \"Tool\", \"urgency\":"
                + " \"NORMAL\", \"installer\": \"SCRIPT\", \"command\": \"sh install.sh\"" + extra + ", \"files\": ["
                + file("install.sh") + "]}";
    }

    static RepositoryIndex parse(String json) {
        return RepositoryIndex.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    static void refused(String json, String cause) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("index is refused").hasMessageContaining(cause)
                .satisfies(e -> assertThat(((ValidationException) e).field()).isEqualTo("index"));
    }

    @Test
    public void readsEveryIdentifyingField() {
        RepositoryIndex index = parse("{\"format\": 1, \"packages\": [" + pkg("Tool 1", ", \"successCodes\": [0, 1],"
                + " \"rebootCodes\": [3010], \"timeoutMinutes\": 90, \"description\": \"d\"") + ", {\"name\": \"KB1\","
                + " \"kind\": \"HOTFIX\", \"msNumber\": \"MS17-010\", \"urgency\": \"HIGHEST\", \"installer\":"
                + " \"SCRIPT\", \"command\": \"kb.exe /quiet\", \"files\": [" + file("kb.exe") + "]}]}");
        assertThat(index.packages()).hasSize(2);
        RepositoryIndex.Entry tool = index.packages().get(0);
        assertThat(tool.spec().kind()).isEqualTo(PackageKind.APPLICATION);
        assertThat(tool.spec().displayName()).contains("Tool");
        assertThat(tool.spec().installer()).isEqualTo(InstallerKind.SCRIPT);
        assertThat(tool.spec().successCodes()).containsExactly(0, 1);
        assertThat(tool.spec().rebootCodes()).containsExactly(3010);
        assertThat(tool.spec().timeoutMinutes()).isEqualTo(90);
        assertThat(tool.files()).singleElement().satisfies(f -> {
            assertThat(f.size()).isEqualTo(6);
            assertThat(f.sha256()).isEqualTo(SHA);
        });
        assertThat(index.packages().get(1).spec().msNumber()).contains("MS17-010");
        assertThat(index.packages().get(1).spec().urgency()).isEqualTo(Urgency.HIGHEST);
        assertThat(tool.digest()).hasSize(64).isNotEqualTo(index.packages().get(1).digest());
    }

    @Test
    public void anEmptyRepositoryIsValid() {
        assertThat(parse("{\"format\": 1, \"packages\": []}").packages()).isEmpty();
    }

    @Test
    public void refusesWhatIsNotAnIndex() {
        refused("", "must be an object");
        refused("[]", "must be an object");
        refused("{\"format\": 1, \"packages\": [", "not valid JSON");
        refused("{\"format\": 2, \"packages\": []}", "\"format\" must be 1");
        refused("{\"packages\": []}", "\"format\" must be 1");
        refused("{\"format\": 1}", "\"packages\" is missing");
        refused("{\"format\": 1, \"packages\": {}}", "must be an array");
        refused("{\"format\": 1, \"packages\": [], \"extra\": 1}", "unknown field \"extra\"");
        refused("{\"format\": 1, \"packages\": []} {}", "more after");
    }

    @Test
    public void refusesBadPackages() {
        refused("{\"format\": 1, \"packages\": [" + pkg("a", ", \"colour\": \"red\"") + "]}",
                "unknown field \"colour\" in packages[0]");
        refused("{\"format\": 1, \"packages\": [{\"name\": \"a\", \"files\": []}]}", "needs name, kind");
        refused("{\"format\": 1, \"packages\": [" + pkg("a", "").replace("APPLICATION", "GAME") + "]}",
                "\"GAME\" is none of");
        refused("{\"format\": 1, \"packages\": [" + pkg("a/b", "") + "]}", "packages[0] (a/b): name");
        refused("{\"format\": 1, \"packages\": [" + pkg("a", "") + "," + pkg("A", "") + "]}", "listed twice");
        refused("{\"format\": 1, \"packages\": [" + pkg("a", ", \"timeoutMinutes\": 99999999999") + "]}",
                "at most 32 bits");
        refused("{\"format\": 1, \"packages\": [" + pkg("a", ", \"timeoutMinutes\": \"ten\"") + "]}",
                "whole number");
        refused("{\"format\": 1, \"packages\": [" + pkg("a", ", \"successCodes\": [[0]]") + "]}", "whole number");
        refused("{\"format\": 1, \"packages\": [3]}", "packages[0] is not an object");
    }

    @Test
    public void refusesBadFiles() {
        String head = "{\"format\": 1, \"packages\": [{\"name\": \"a\", \"kind\": \"LINUX_PATCH\", \"urgency\":"
                + " \"LOW\", \"installer\": \"DEB\", \"files\": [";
        refused(head + "]}]}", "has no files");
        refused(head + "{\"name\": \"a.deb\", \"size\": 1}]}]}", "needs name, size and sha256");
        refused(head + "{\"name\": \"a.deb\", \"size\": 1, \"sha256\": \"" + SHA.toUpperCase() + "\"}]}]}",
                "64 lower-case hex");
        refused(head + "{\"name\": \"a.deb\", \"size\": -1, \"sha256\": \"" + SHA + "\"}]}]}", "not between 0");
        refused(head + "{\"name\": \"../a.deb\", \"size\": 1, \"sha256\": \"" + SHA + "\"}]}]}", "files[0]");
        refused(head + file("a.deb") + "," + file("a.deb") + "]}]}", "listed twice");
        refused(head + "{\"name\": \"a.deb\", \"size\": 1, \"sha256\": \"" + SHA + "\", \"url\": \"x\"}]}]}",
                "unknown field \"url\"");
    }

    @Test
    public void boundsEveryCountAndLength() {
        String head = "{\"format\": 1, \"packages\": [{\"name\": \"a\", \"kind\": \"LINUX_PATCH\", \"urgency\":"
                + " \"LOW\", \"installer\": \"DEB\", \"files\": [";
        StringBuilder files = new StringBuilder();
        for (int i = 0; i < 65; i++) {
            files.append(i == 0 ? "" : ",").append(file("f" + i + ".deb"));
        }
        refused(head + files + "]}]}", "more than 64 files");
        refused("{\"format\": 1, \"packages\": [" + pkg("a", ", \"description\": \"" + "x".repeat(5000) + "\"")
                + "]}", "not valid JSON");
        StringBuilder codes = new StringBuilder("0");
        for (int i = 1; i <= 32; i++) {
            codes.append(',').append(i);
        }
        refused("{\"format\": 1, \"packages\": [" + pkg("a", ", \"successCodes\": [" + codes + "]") + "]}",
                "more than 32 codes");
        refused("{\"format\": 1, \"packages\": [[[[[[1]]]]]]}", "packages[0] is not an object");
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= RepositoryIndex.MAX_PACKAGES; i++) {
            many.append(i == 0 ? "" : ",").append(pkg("p" + i, ""));
        }
        refused("{\"format\": 1, \"packages\": [" + many + "]}", "more than " + RepositoryIndex.MAX_PACKAGES);
        assertThatThrownBy(() -> RepositoryIndex.parse(new byte[RepositoryIndex.MAX_BYTES + 1]))
                .hasMessageContaining("more than " + RepositoryIndex.MAX_BYTES);
        assertThat(List.of(RepositoryIndex.MAX_STRING, RepositoryIndex.MAX_CODES)).containsExactly(1024, 32);
    }
}
