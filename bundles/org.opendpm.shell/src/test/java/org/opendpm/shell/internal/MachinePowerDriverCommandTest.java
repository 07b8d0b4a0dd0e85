package org.opendpm.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.Test;
import org.opendpm.api.power.MachinePowerSettings;
import org.opendpm.api.power.PowerDriverChoice;

/** SCH-2: what dpm:machine-power-driver prints, and how it reads --info. */
public class MachinePowerDriverCommandTest {

    @Test
    public void theDriverAndWhyAndTheInfoWithoutSecrets() {
        String out = MachinePowerDriverCommand.format("pc1", new MachinePowerSettings(7, Optional.of("fake"), "fake",
                PowerDriverChoice.EXPLICIT, true, Map.of("bmcAddress", "192.0.2.10"), Set.of("password"),
                Optional.of("{\"type\":\"object\"}"), Optional.of("alice"),
                Optional.of(Instant.parse("2026-03-01T10:00:00.123Z"))));
        assertThat(out).isEqualTo(String.join("\n",
                "Power driver of pc1: fake (named by the machine)",
                "Driver info:",
                "  bmcAddress = 192.0.2.10",
                "  password   = ******** (secret, set)",
                "Set by alice at 2026-03-01T10:00:00Z",
                "Driver info schema: {\"type\":\"object\"}",
                ""));
    }

    @Test
    public void anAutomaticChoiceSaysWhyAndAMissingDriverIsSaid() {
        assertThat(MachinePowerDriverCommand.format("pc1", new MachinePowerSettings(7, Optional.empty(), "fake",
                PowerDriverChoice.MODEL, true, Map.of(), Set.of(), Optional.empty(), Optional.empty(),
                Optional.empty()))).isEqualTo("Power driver of pc1: fake (its model's choice; the machine names"
                        + " none)\nNo driver info\n");
        assertThat(MachinePowerDriverCommand.format("pc1", new MachinePowerSettings(7, Optional.empty(), "ipmi",
                PowerDriverChoice.DEFAULT, false, Map.of(), Set.of(), Optional.empty(), Optional.empty(),
                Optional.empty()))).startsWith("Power driver of pc1: ipmi (server default; the machine names none)"
                        + " - NOT INSTALLED\n");
    }

    @Test
    public void infoIsNameEqualsValue() {
        assertThat(MachinePowerDriverCommand.parseInfo(List.of("bmcAddress=192.0.2.10", "note=a=b", "empty=")))
                .containsExactly(Map.entry("bmcAddress", "192.0.2.10"), Map.entry("note", "a=b"),
                        Map.entry("empty", ""));
        assertThatThrownBy(() -> MachinePowerDriverCommand.parseInfo(List.of("bmcAddress")))
                .hasMessage("Driver info is name=value, not 'bmcAddress'");
        assertThatThrownBy(() -> MachinePowerDriverCommand.parseInfo(List.of("=x")))
                .hasMessage("Driver info is name=value, not '=x'");
        assertThatThrownBy(() -> MachinePowerDriverCommand.parseInfo(List.of("a=1", "a=2")))
                .hasMessage("Driver info 'a' is given twice");
    }
}
