package org.opendpm.rest.internal.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.badJson;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.catchIt;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.problem;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.roles;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import javax.ws.rs.ServiceUnavailableException;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.junit.Test;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.power.MachinePowerSettings;
import org.opendpm.api.power.PowerDriverChoice;
import org.opendpm.api.power.PowerService;
import org.opendpm.api.power.PowerSettingsService;
import org.opendpm.api.power.PowerSettingsUpdate;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.PowerAcceptedDto;
import org.opendpm.rest.internal.dto.PowerActionDto;
import org.opendpm.rest.internal.dto.PowerSettingsDto;
import org.opendpm.rest.internal.dto.PowerSettingsInputDto;
import org.opendpm.rest.internal.json.JsonProvider;

/** Power on, shut down and reboot (SCH-2, SCH-4) and a machine's power settings over REST, against test doubles. */
public class PowerResourcesTest {

    /** Machine 7 has a connected agent, machine 8 has none; the calls are recorded. */
    private static final class Power implements PowerService {
        final List<String> calls = new ArrayList<>();

        private void call(String what, long machineId, boolean needsAgent) {
            if (machineId != 7 && machineId != 8) {
                throw new NotFoundException("Machine " + machineId + " does not exist");
            }
            if (needsAgent && machineId == 8) {
                throw new AgentUnavailableException("Machine pc-8 has no connected agent");
            }
            calls.add(what + " " + machineId);
        }

        @Override
        public void powerOn(long machineId) {
            call("on", machineId, false);
        }

        @Override
        public void shutdown(long machineId) {
            call("shutdown", machineId, true);
        }

        @Override
        public void reboot(long machineId) {
            call("reboot", machineId, true);
        }
    }

    /**
     * Machine 7 exists; only the driver "fake" is installed, whose info has bmcAddress and the secret password; the
     * updates are recorded with who made them.
     */
    private static final class Settings implements PowerSettingsService {
        final List<String> updates = new ArrayList<>();
        private MachinePowerSettings current = new MachinePowerSettings(7, Optional.empty(), "wol",
                PowerDriverChoice.DEFAULT, true, Map.of(), Set.of(), Optional.of("{\"type\":\"object\"}"),
                Optional.empty(), Optional.empty());

        @Override
        public MachinePowerSettings get(long machineId) {
            if (machineId != 7) {
                throw new NotFoundException("Machine " + machineId + " does not exist");
            }
            return current;
        }

        @Override
        public MachinePowerSettings set(long machineId, PowerSettingsUpdate update, String setBy) {
            get(machineId);
            if (update.driver().isPresent() && !update.driver().get().equals("fake")) {
                throw new ValidationException("driver", "Power driver '" + update.driver().get()
                        + "' is not installed");
            }
            Map<String, String> plain = new TreeMap<>(update.driverInfo());
            Set<String> secrets = plain.remove("password") == null ? Set.of() : Set.of("password");
            updates.add(update.driver().orElse("auto") + " " + update.driverInfo() + " by " + setBy);
            current = new MachinePowerSettings(7, update.driver(), update.driver().orElse("wol"),
                    update.driver().isPresent() ? PowerDriverChoice.EXPLICIT : PowerDriverChoice.DEFAULT, true,
                    plain, secrets, Optional.of(FAKE_SCHEMA), Optional.of(setBy),
                    Optional.of(Instant.parse("2026-03-01T10:00:00Z")));
            return current;
        }
    }

    private static final String FAKE_SCHEMA = "{\"type\":\"object\",\"additionalProperties\":false,"
            + "\"properties\":{\"bmcAddress\":{\"type\":\"string\"},"
            + "\"password\":{\"type\":\"string\",\"writeOnly\":true}}}";

    private final Power power = new Power();
    private final Settings settings = new Settings();
    private final MachinePowerResource resource = new MachinePowerResource(power, settings);

    private static PowerActionDto json(String body) throws Exception {
        return JsonProvider.mapper().readValue(body, PowerActionDto.class);
    }

    @Test
    public void everyMethodHasItsRoleAndDocumentation() {
        assertThat(roles(MachinePowerResource.class)).containsExactlyInAnyOrderEntriesOf(Map.of("power",
                Roles.OPERATOR, "settings", Roles.VIEWER, "setSettings", Roles.ADMIN));
    }

    /** SCH-2: each action reaches its call and is answered 202 once sent. */
    @Test
    public void eachActionReachesItsCall() throws Exception {
        Response on = resource.power("7", json("{\"action\":\"on\"}"));
        assertThat(on.getStatus()).isEqualTo(202);
        assertThat(on.getEntity()).isEqualTo(new PowerAcceptedDto(7, "on"));
        assertThat(resource.power("7", json("{\"action\":\"off\"}")).getEntity())
                .isEqualTo(new PowerAcceptedDto(7, "off"));
        assertThat(resource.power("7", json("{\"action\":\" Reboot \"}")).getEntity())
                .isEqualTo(new PowerAcceptedDto(7, "reboot"));
        // Wake-on-LAN needs no agent.
        resource.power("8", json("{\"action\":\"ON\"}"));
        assertThat(power.calls).containsExactly("on 7", "shutdown 7", "reboot 7", "on 8");
    }

    @Test
    public void badActionsAreRefusedNamingTheField() throws Exception {
        ValidationException shutdown = (ValidationException) catchIt(() -> resource.power("7",
                json("{\"action\":\"shutdown\"}")));
        assertThat(shutdown.field()).isEqualTo("action");
        assertThat(shutdown).hasMessage("Unknown power action 'shutdown'; actions are on, off and reboot");
        assertThat(problem(catchIt(() -> resource.power("7", json("{}"))), 400).field()).isEqualTo("action");
        assertThat(problem(catchIt(() -> resource.power("7", json("{\"action\":\"\"}"))), 400).field())
                .isEqualTo("action");
        assertThat(problem(catchIt(() -> resource.power("7", null)), 400).detail()).isEqualTo("A JSON body is"
                + " required");
        assertThat(problem(catchIt(() -> resource.power("seven", json("{\"action\":\"on\"}"))), 400).field())
                .isEqualTo("id");
        assertThat(badJson("{\"action\":1}", PowerActionDto.class).field()).isEqualTo("action");
        assertThat(badJson("{\"action\":\"on\",\"force\":true}", PowerActionDto.class).field()).isEqualTo("force");
        assertThat(power.calls).isEmpty();
    }

    /** An unknown machine is 404; off and reboot without an agent are the service's AgentUnavailableException. */
    @Test
    public void unknownMachinesAndMissingAgentsComeFromTheService() {
        assertThat(problem(catchIt(() -> resource.power("99", json("{\"action\":\"on\"}"))), 404).detail())
                .isEqualTo("Machine 99 does not exist");
        assertThatThrownBy(() -> resource.power("8", json("{\"action\":\"reboot\"}")))
                .isInstanceOf(AgentUnavailableException.class).hasMessage("Machine pc-8 has no connected agent");
        assertThat(power.calls).isEmpty();
    }

    @Test
    public void withoutPowerControlTheAnswerIs503() {
        Throwable e = catchIt(() -> new MachinePowerResource(null, null).power("7", json("{\"action\":\"on\"}")));
        assertThat(e).isInstanceOf(ServiceUnavailableException.class).hasMessageContaining("Power control");
        assertThat(problem(e, 503).detail()).contains("not running");
    }

    private static PowerSettingsInputDto input(String body) throws Exception {
        return JsonProvider.mapper().readValue(body, PowerSettingsInputDto.class);
    }

    private static SecurityContext user(String name) {
        return ExecutionResourcesTest.user(name);
    }

    /** SCH-2: the driver and its info are set by an admin and read back without the secret. */
    @Test
    public void powerSettingsAreSetAndReadWithoutSecrets() throws Exception {
        PowerSettingsDto automatic = resource.settings("7");
        assertThat(automatic.driver()).isNull();
        assertThat(automatic.effectiveDriver()).isEqualTo("wol");
        assertThat(automatic.choice()).isEqualTo("DEFAULT");
        assertThat(automatic.setBy()).isNull();

        PowerSettingsDto set = resource.setSettings("7", input("{\"driver\":\"fake\",\"driverInfo\":"
                + "{\"bmcAddress\":\"192.0.2.10\",\"password\":\"hunter2\"}}"), user("alice"));
        assertThat(settings.updates).containsExactly("fake {bmcAddress=192.0.2.10, password=hunter2} by alice");
        assertThat(set.driver()).isEqualTo("fake");
        assertThat(set.choice()).isEqualTo("EXPLICIT");
        assertThat(set.driverInfo()).isEqualTo(Map.of("bmcAddress", "192.0.2.10"));
        assertThat(set.secretsSet()).containsExactly("password");
        assertThat(set.setAt()).isEqualTo("2026-03-01T10:00:00Z");
        assertThat(set.driverInfoSchema()).containsEntry("additionalProperties", false);
        String json = JsonProvider.mapper().writeValueAsString(resource.settings("7"));
        assertThat(json).doesNotContain("hunter2").contains("\"secretsSet\":[\"password\"]")
                .contains("\"writeOnly\":true");

        resource.setSettings("7", input("{\"driver\":null}"), user("bob"));
        resource.setSettings("7", input("{}"), null);
        assertThat(settings.updates).endsWith("auto {} by bob", "auto {} by rest");
        assertThat(input("{\"driver\":\"fake\",\"driverInfo\":{\"password\":\"hunter2\"}}").toString())
                .doesNotContain("hunter2");
    }

    @Test
    public void badPowerSettingsAreRefusedNamingTheField() throws Exception {
        assertThat(problem(catchIt(() -> resource.setSettings("7", input("{\"driver\":\"ipmi\"}"), user("a"))),
                400).field()).isEqualTo("driver");
        assertThat(problem(catchIt(() -> resource.setSettings("7", null, user("a"))), 400).detail())
                .isEqualTo("A JSON body is required");
        assertThat(problem(catchIt(() -> resource.setSettings("x", input("{}"), user("a"))), 400).field())
                .isEqualTo("id");
        assertThat(problem(catchIt(() -> resource.settings("seven")), 400).field()).isEqualTo("id");
        assertThat(problem(catchIt(() -> resource.settings("99")), 404).detail())
                .isEqualTo("Machine 99 does not exist");
        assertThat(badJson("{\"driverInfo\":{\"port\":623}}", PowerSettingsInputDto.class).field())
                .isEqualTo("driverInfo.port");
        assertThat(badJson("{\"driver\":\"fake\",\"secret\":\"x\"}", PowerSettingsInputDto.class).field())
                .isEqualTo("secret");
        assertThat(settings.updates).isEmpty();
        Throwable e = catchIt(() -> new MachinePowerResource(power, null).settings("7"));
        assertThat(problem(e, 503).detail()).contains("Power control is not running");
    }
}
