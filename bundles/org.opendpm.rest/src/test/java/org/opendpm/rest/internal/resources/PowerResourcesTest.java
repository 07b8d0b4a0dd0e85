package org.opendpm.rest.internal.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.badJson;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.catchIt;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.problem;
import static org.opendpm.rest.internal.resources.ExecutionResourcesTest.roles;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.ws.rs.ServiceUnavailableException;
import javax.ws.rs.core.Response;

import org.junit.Test;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.agent.AgentUnavailableException;
import org.opendpm.api.power.PowerService;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.PowerAcceptedDto;
import org.opendpm.rest.internal.dto.PowerActionDto;
import org.opendpm.rest.internal.json.JsonProvider;

/** Power on, shut down and reboot (SCH-2, SCH-4) over REST, against a test double. */
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

    private final Power power = new Power();
    private final MachinePowerResource resource = new MachinePowerResource(power);

    private static PowerActionDto json(String body) throws Exception {
        return JsonProvider.mapper().readValue(body, PowerActionDto.class);
    }

    @Test
    public void everyMethodHasItsRoleAndDocumentation() {
        assertThat(roles(MachinePowerResource.class)).containsExactlyInAnyOrderEntriesOf(Map.of("power",
                Roles.OPERATOR));
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
        Throwable e = catchIt(() -> new MachinePowerResource(null).power("7", json("{\"action\":\"on\"}")));
        assertThat(e).isInstanceOf(ServiceUnavailableException.class).hasMessageContaining("Power control");
        assertThat(problem(e, 503).detail()).contains("not running");
    }
}
