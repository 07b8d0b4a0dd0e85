package org.opendpm.rest.internal.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.GET;
import javax.ws.rs.HttpMethod;

import org.junit.Test;
import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.MachineGroup;
import org.opendpm.api.inventory.NetworkSetting;
import org.opendpm.api.schedule.Schedule;
import org.opendpm.api.schedule.ScheduleKind;
import org.opendpm.api.schedule.ScheduleSpec;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.ScheduleDto;
import org.opendpm.rest.internal.dto.ScheduleInputDto;
import org.opendpm.rest.internal.json.JsonProvider;

import io.swagger.v3.oas.annotations.Operation;

/** The schedule resource (SCH-1 to SCH-3): roles, JSON in and out, and refusals naming the field. */
public class ScheduleResourceTest {

    /** An inventory that knows the group /lab (id 7) and nothing else; every other call is a test error. */
    private static InventoryService inventory() {
        return (InventoryService) Proxy.newProxyInstance(InventoryService.class.getClassLoader(),
                new Class<?>[]{ InventoryService.class }, (proxy, m, args) -> {
                    if (m.getName().equals("findGroup")) {
                        return "/lab".equals(((String) args[0]).strip())
                                ? Optional.of(new MachineGroup(7, "/lab",
                                        "lab", Optional.empty(), 1, NetworkSetting.SAME_SUBNET, 0))
                                : Optional.empty();
                    }
                    throw new AssertionError("not used by this test");
                });
    }

    private final ScheduleResource resource = new ScheduleResource(null, inventory());

    private static ScheduleInputDto read(String json) throws Exception {
        return JsonProvider.mapper().readValue(json, ScheduleInputDto.class);
    }

    @Test
    public void everyMethodHasItsRoleAndDocumentation() {
        Map<String, String> roles = new TreeMap<>();
        for (Method m : ScheduleResource.class.getDeclaredMethods()) {
            if (Arrays.stream(m.getAnnotations()).noneMatch(a -> a.annotationType().isAnnotationPresent(
                    HttpMethod.class))) {
                continue;
            }
            assertThat(m.getAnnotation(Operation.class)).as(m.getName() + " has @Operation").isNotNull();
            RolesAllowed r = m.getAnnotation(RolesAllowed.class);
            assertThat(r).as(m.getName() + " has @RolesAllowed").isNotNull();
            if (m.isAnnotationPresent(GET.class)) {
                assertThat(r.value()).containsExactly(Roles.VIEWER);
            }
            roles.put(m.getName(), r.value()[0]);
        }
        assertThat(roles).containsExactlyInAnyOrderEntriesOf(Map.of("list", Roles.VIEWER, "get", Roles.VIEWER,
                "create", Roles.OPERATOR, "update", Roles.OPERATOR, "delete", Roles.OPERATOR, "enable",
                Roles.OPERATOR, "disable", Roles.OPERATOR));
    }

    @Test
    public void sch3GroupBatchBodyBecomesASpec() throws Exception {
        ScheduleSpec spec = resource.spec(read("{\"name\":\"nightly\",\"kind\":\"group_execute\",\"scenarioId\":5,"
                + "\"groupPath\":\"/lab\",\"includeSubgroups\":true,\"cron\":\"0 0 2 * * ?\","
                + "\"timeZone\":\"Europe/Berlin\"}"));
        assertThat(spec).isEqualTo(new ScheduleSpec("nightly", ScheduleKind.GROUP_EXECUTE, Optional.of(5L),
                List.of(), Optional.of(7L), true, Optional.empty(), Optional.of("0 0 2 * * ?"), "Europe/Berlin",
                true));
    }

    @Test
    public void sch1OneOffBodyBecomesASpec() throws Exception {
        ScheduleSpec spec = resource.spec(read("{\"name\":\"patch\",\"kind\":\"EXECUTE\",\"scenarioId\":5,"
                + "\"machineIds\":[3,4],\"at\":\"2026-04-01T07:30:00\",\"timeZone\":\"Asia/Tokyo\","
                + "\"enabled\":false}"));
        assertThat(spec.at()).contains(LocalDateTime.parse("2026-04-01T07:30:00"));
        assertThat(spec.machineIds()).containsExactly(3L, 4L);
        assertThat(spec.enabled()).isFalse();
        assertThat(spec.groupId()).isEmpty();
    }

    @Test
    public void badFieldsAreRefusedByName() {
        assertThat(field(() -> resource.spec(read("{\"name\":\"n\",\"kind\":\"REBOOT\",\"timeZone\":\"UTC\"}"))))
                .isEqualTo("kind");
        assertThat(field(() -> resource.spec(read("{\"name\":\"n\",\"timeZone\":\"UTC\"}")))).isEqualTo("kind");
        assertThat(field(() -> resource.spec(read("{\"name\":\"n\",\"kind\":\"POWER_ON\",\"machineIds\":[1],"
                + "\"at\":\"2026-04-01T07:30:00+02:00\",\"timeZone\":\"UTC\"}")))).isEqualTo("at");
        assertThat(field(() -> resource.spec(read("{\"name\":\"n\",\"kind\":\"POWER_ON\",\"machineIds\":[1],"
                + "\"at\":\"tomorrow\",\"timeZone\":\"UTC\"}")))).isEqualTo("at");
        assertThat(field(() -> resource.spec(read("{\"name\":\"n\",\"kind\":\"POWER_ON\",\"groupPath\":\"/nope\","
                + "\"cron\":\"0 0 * * * ?\",\"timeZone\":\"UTC\"}")))).isEqualTo("groupPath");
        assertThat(field(() -> resource.spec(read("{\"name\":\"n\",\"kind\":\"POWER_ON\",\"groupId\":7,"
                + "\"groupPath\":\"/lab\",\"cron\":\"0 0 * * * ?\",\"timeZone\":\"UTC\"}")))).isEqualTo("groupPath");
        assertThat(field(() -> resource.spec(null))).isNull();
        assertThatThrownBy(() -> read("{\"name\":\"n\",\"when\":\"now\"}")).hasMessageContaining("when");
        assertThatThrownBy(() -> resource.get("x")).isInstanceOfSatisfying(ValidationException.class,
                e -> assertThat(e.field()).isEqualTo("id"));
    }

    private static String field(ThrowingCall call) {
        try {
            call.run();
        } catch (ValidationException e) {
            return e.field();
        } catch (Exception e) {
            throw new AssertionError("refused with " + e, e);
        }
        throw new AssertionError("not refused");
    }

    @FunctionalInterface
    private interface ThrowingCall {
        Object run() throws Exception;
    }

    @Test
    public void timesLeaveAsLocalTimeAndInstantsWithTheZoneOffset() throws Exception {
        Schedule s = new Schedule(9, "wake", ScheduleKind.POWER_ON, Optional.empty(), Optional.empty(), List.of(1L),
                Optional.empty(), Optional.empty(), false, Optional.of(LocalDateTime.parse("2026-03-30T07:30:00")),
                Optional.empty(), "Europe/Berlin", true, "alice", Instant.parse("2026-03-20T10:00:00Z"),
                Optional.empty(), Optional.empty(), Optional.of(Instant.parse("2026-03-30T05:30:00Z")));
        ScheduleDto dto = ScheduleDto.of(s);
        assertThat(dto.at()).isEqualTo("2026-03-30T07:30:00");
        assertThat(dto.nextFireAt()).isEqualTo("2026-03-30T07:30:00+02:00");
        assertThat(dto.createdAt()).isEqualTo("2026-03-20T11:00:00+01:00");
        String json = JsonProvider.mapper().writeValueAsString(dto);
        assertThat(json).contains("\"kind\":\"POWER_ON\"").contains("\"timeZone\":\"Europe/Berlin\"")
                .doesNotContain("lastFiredAt").doesNotContain("cron");
    }
}
