package org.opendpm.rest.internal.dto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.Test;
import org.opendpm.api.ValidationException;
import org.opendpm.api.packages.InstallerKind;
import org.opendpm.api.packages.PackageFile;
import org.opendpm.api.packages.PackageKind;
import org.opendpm.api.packages.PackageOutcome;
import org.opendpm.api.packages.PackageResult;
import org.opendpm.api.packages.PackageSpec;
import org.opendpm.api.packages.PendingRun;
import org.opendpm.api.packages.RegisteredPackage;
import org.opendpm.api.packages.Urgency;
import org.opendpm.rest.internal.json.JsonProvider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The package DTOs as REST writes and reads them (PKG-1, PKG-2, EXE-11). */
public class PackageDtoTest {

    private final JsonMapper mapper = JsonProvider.mapper();

    @Test
    public void packagesResultsAndPendingRunsAreWrittenAsJson() throws Exception {
        PackageSpec spec = new PackageSpec("app", PackageKind.APPLICATION, Optional.empty(), Optional.empty(),
                Optional.of("App"), Optional.empty(), Urgency.HIGH, InstallerKind.SCRIPT, Optional.of("sh i.sh"),
                List.of(0), List.of(3010), 30, Optional.empty());
        Instant at = Instant.parse("2026-12-01T10:00:00Z");
        JsonNode p = mapper.readTree(mapper.writeValueAsString(PackageDto.of(new RegisteredPackage(3, spec, List.of(
                new PackageFile("i.sh", 12, "ab".repeat(32))), at))));
        assertThat(p.get("updatedAt").asText()).isEqualTo("2026-12-01T10:00:00Z");
        assertThat(p.get("files").get(0).get("sha256").asText()).hasSize(64);
        assertThat(p.get("rebootCodes").get(0).asInt()).isEqualTo(3010);
        JsonNode r = mapper.readTree(mapper.writeValueAsString(PackageResultDto.of(new PackageResult(5, 1, 3, "app",
                1, PackageOutcome.FAILED, "no", Duration.ofSeconds(2), at))));
        assertThat(r.get("outcome").asText()).isEqualTo("FAILED");
        assertThat(r.get("finishedAt").asText()).isEqualTo("2026-12-01T10:00:00Z");
        JsonNode q = mapper.readTree(mapper.writeValueAsString(PendingRunDto.of(new PendingRun(1, 2, 3, "s", "admin",
                at))));
        assertThat(q.get("queuedAt").asText()).isEqualTo("2026-12-01T10:00:00Z");
    }

    @Test
    public void anUnknownKindIsRefusedNamingTheField() throws Exception {
        PackageInputDto in = mapper.readValue("{\"name\":\"x\",\"kind\":\"DRIVER\",\"urgency\":\"LOW\","
                + "\"installer\":\"DEB\"}", PackageInputDto.class);
        assertThatThrownBy(in::toSpec).isInstanceOfSatisfying(ValidationException.class,
                e -> assertThat(e.field()).isEqualTo("kind"));
        PackageSpec defaults = mapper.readValue("{\"name\":\"x\",\"kind\":\"linux_patch\",\"urgency\":\"low\","
                + "\"installer\":\"deb\"}", PackageInputDto.class).toSpec();
        assertThat(defaults.successCodes()).containsExactly(0);
        assertThat(defaults.timeoutMinutes()).isEqualTo(30);
    }
}
