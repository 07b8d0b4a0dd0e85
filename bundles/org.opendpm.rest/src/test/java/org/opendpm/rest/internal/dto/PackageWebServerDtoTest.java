package org.opendpm.rest.internal.dto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;

import org.junit.Test;
import org.opendpm.api.ValidationException;
import org.opendpm.api.packages.DownloadReport;
import org.opendpm.api.packages.DownloadSettings;
import org.opendpm.api.packages.PackageWebServer;
import org.opendpm.rest.internal.json.JsonProvider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The Package Web Server DTOs as REST reads and writes them (PKG-3). */
public class PackageWebServerDtoTest {

    private final JsonMapper mapper = JsonProvider.mapper();

    @Test
    public void aServerIsReadWithDefaultsAndItsIdCannotChange() throws Exception {
        PackageWebServerInputDto in = mapper.readValue("{\"id\": \"0PackWS\", \"url\": \"http://repo/p/\"}",
                PackageWebServerInputDto.class);
        assertThat(in.toServer(null)).isEqualTo(new PackageWebServer("0PackWS", URI.create("http://repo/p/"), true,
                null));
        assertThat(in.toServer("0packws").id()).isEqualTo("0packws");
        assertThatThrownBy(() -> in.toServer("other")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("cannot be changed");
        assertThatThrownBy(() -> new PackageWebServerInputDto("a", "http://h/ x", null).toServer(null))
                .hasMessageContaining("not a URL");
        assertThatThrownBy(() -> new PackageWebServerInputDto("a", null, null).toServer(null))
                .hasMessageContaining("URL is required");
    }

    @Test
    public void settingsAndLatestDownloadInformationAreWritten() throws Exception {
        DownloadSettingsDto in = mapper.readValue("{\"automatic\": true, \"time\": \"03:30\"}",
                DownloadSettingsDto.class);
        assertThat(in.toSettings()).isEqualTo(new DownloadSettings(true, LocalTime.of(3, 30)));
        assertThatThrownBy(() -> new DownloadSettingsDto(true, "3:30", null, null).toSettings())
                .hasMessageContaining("HH:MM");
        assertThatThrownBy(() -> new DownloadSettingsDto(null, "03:30", null, null).toSettings())
                .hasMessageContaining("automatic is required");

        DownloadReport r = new DownloadReport("packWS", false, Instant.parse("2026-12-01T03:00:00Z"),
                Instant.parse("2026-12-01T03:00:02Z"), "file a.deb has SHA-256 ...", List.of(), List.of(),
                List.of("old"));
        JsonNode server = mapper.readTree(mapper.writeValueAsString(PackageWebServerDto.of(new PackageWebServer(
                "packWS", URI.create("http://repo/"), true, Instant.parse("2026-11-30T00:00:00Z")), r)));
        assertThat(server.get("latest").get("success").asBoolean()).isFalse();
        assertThat(server.get("latest").get("finishedAt").asText()).isEqualTo("2026-12-01T03:00:02Z");
        assertThat(server.get("latest").get("deleted").get(0).asText()).isEqualTo("old");
        JsonNode settings = mapper.readTree(mapper.writeValueAsString(DownloadSettingsDto.of(new DownloadSettings(
                false, LocalTime.of(4, 0)), true, null)));
        assertThat(settings.get("time").asText()).isEqualTo("04:00");
        assertThat(settings.get("downloading").asBoolean()).isTrue();
    }
}
