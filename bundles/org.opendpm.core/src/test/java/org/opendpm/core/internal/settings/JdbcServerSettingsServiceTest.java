package org.opendpm.core.internal.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.Test;
import org.opendpm.api.ValidationException;
import org.opendpm.api.settings.ServerSettings;
import org.opendpm.core.internal.TestDatabases;

/** Detail Setting of the server (EXE-4, EXE-5, SCH-4, NET-2, DOS-1 default). */
public class JdbcServerSettingsServiceTest {

    private final JdbcServerSettingsService service = new JdbcServerSettingsService(TestDatabases.fresh(),
            "/var/lib/opendpm/images");

    @Test
    public void defaultsMatchTheGuide() {
        ServerSettings s = service.get();
        assertThat(s.useDhcpServer()).isTrue();
        assertThat(s.imageFolder()).isEqualTo("/var/lib/opendpm/images");
        assertThat(s.scenarioTimeoutMinutes()).isEqualTo(120);
        assertThat(s.defaultDeployOs()).isEqualTo("ia32_110331_26");
        assertThat(s.machinesForSimultaneousExecution()).isEqualTo(5);
    }

    @Test
    public void updatesArePersistedAndReadBack() {
        var changed = new ServerSettings(false, "/srv/deploy", true, 20, 30, 240, "ia32_121228_26");
        assertThat(service.update(changed)).isEqualTo(changed);
        assertThat(service.get()).isEqualTo(changed);
        var again = new ServerSettings(true, "/srv/deploy/../images", true, 1, 1, 1, "x");
        assertThat(service.update(again).imageFolder()).isEqualTo("/srv/images");
    }

    @Test
    public void eachBadFieldIsNamedAndNothingIsWritten() {
        ServerSettings ok = service.get();
        assertField(new ServerSettings(true, "relative/path", false, 5, 10, 120, "a"), "imageFolder");
        assertField(new ServerSettings(true, " ", false, 5, 10, 120, "a"), "imageFolder");
        assertField(new ServerSettings(true, "/x", false, 0, 10, 120, "a"), "machinesForSimultaneousExecution");
        assertField(new ServerSettings(true, "/x", false, 1001, 10, 120, "a"), "machinesForSimultaneousExecution");
        assertField(new ServerSettings(true, "/x", false, 5, 61, 120, "a"), "remotePowerOnTimeoutMinutes");
        assertField(new ServerSettings(true, "/x", false, 5, 10, 0, "a"), "scenarioTimeoutMinutes");
        assertField(new ServerSettings(true, "/x", false, 5, 10, 120, "bad id"), "defaultDeployOs");
        assertField(new ServerSettings(true, "/x", false, 5, 10, 120, null), "defaultDeployOs");
        assertThat(service.get()).isEqualTo(ok);
    }

    private void assertField(ServerSettings bad, String field) {
        assertThatThrownBy(() -> service.update(bad)).isInstanceOfSatisfying(ValidationException.class,
                e -> assertThat(e.field()).isEqualTo(field));
    }
}
