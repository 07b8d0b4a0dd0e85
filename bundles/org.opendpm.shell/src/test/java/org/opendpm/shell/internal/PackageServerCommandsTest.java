package org.opendpm.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.Test;
import org.opendpm.api.packages.DownloadReport;

/** How dpm:package-server-* shows the Latest Download Information and reads its options (PKG-3). */
public class PackageServerCommandsTest {

    @Test
    public void theLatestDownloadInformationShowsOutcomeTimeAndChanges() {
        DownloadReport r = new DownloadReport("*", true, Instant.parse("2026-12-01T03:00:00Z"),
                Instant.parse("2026-12-01T03:00:05Z"), "2 server(s) downloaded: 0PackWS, packWS", List.of("a", "b"),
                List.of(), List.of("old"));
        assertThat(PackageServerCommands.report(Optional.of(r))).isEqualTo("Success at 2026-12-01T03:00:05Z (started"
                + " 2026-12-01T03:00:00Z): 2 server(s) downloaded: 0PackWS, packWS\n  added:   a, b\n  updated: \n"
                + "  deleted: old\n");
        assertThat(PackageServerCommands.report(Optional.empty())).isEqualTo("No download has run yet\n");
    }

    @Test
    public void optionsAreCheckedWithAClearMessage() {
        assertThat(PackageServerCommands.parseBoolean("TRUE")).isTrue();
        assertThatThrownBy(() -> PackageServerCommands.parseBoolean("yes")).hasMessage("true or false, not yes");
        assertThatThrownBy(() -> PackageServerCommands.url("http://h/ x")).hasMessageStartingWith("Not a URL");
    }
}
