package org.opendpm.rest.internal.resources;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.TreeMap;

import javax.annotation.security.RolesAllowed;
import javax.ws.rs.GET;
import javax.ws.rs.HttpMethod;

import org.junit.Test;
import org.opendpm.rest.internal.Roles;
import org.opendpm.rest.internal.dto.ScenarioInputDto;
import org.opendpm.rest.internal.json.JsonProvider;

import io.swagger.v3.oas.annotations.Operation;

/** The scenario resources' roles (reads viewer, changes admin, assignment operator) and their JSON input. */
public class ScenarioResourcesTest {

    /** Role of each HTTP method, by method name; fails on a method without @RolesAllowed or @Operation. */
    private static Map<String, String> roles(Class<?> resource) {
        Map<String, String> result = new TreeMap<>();
        for (Method m : resource.getDeclaredMethods()) {
            boolean http = java.util.Arrays.stream(m.getAnnotations())
                    .anyMatch(a -> a.annotationType().isAnnotationPresent(HttpMethod.class));
            if (!http) {
                continue;
            }
            assertThat(m.getAnnotation(Operation.class)).as(m.getName() + " has @Operation").isNotNull();
            RolesAllowed roles = m.getAnnotation(RolesAllowed.class);
            assertThat(roles).as(m.getName() + " has @RolesAllowed").isNotNull();
            assertThat(roles.value()).hasSize(1);
            if (m.isAnnotationPresent(GET.class)) {
                assertThat(roles.value()[0]).as(m.getName() + " reads").isEqualTo(Roles.VIEWER);
            }
            result.put(m.getName(), roles.value()[0]);
        }
        return result;
    }

    @Test
    public void everyMethodHasItsRoleAndDocumentation() {
        assertThat(roles(ScenarioGroupResource.class)).containsExactlyInAnyOrderEntriesOf(Map.of("list", Roles.VIEWER,
                "tree", Roles.VIEWER, "byPath", Roles.VIEWER, "get", Roles.VIEWER, "create", Roles.ADMIN, "rename",
                Roles.ADMIN, "delete", Roles.ADMIN));
        assertThat(roles(ScenarioResource.class)).containsExactlyInAnyOrderEntriesOf(Map.of("list", Roles.VIEWER,
                "get", Roles.VIEWER, "create", Roles.ADMIN, "update", Roles.ADMIN, "delete", Roles.ADMIN,
                "executability", Roles.VIEWER, "assignments", Roles.VIEWER, "assign", Roles.OPERATOR));
        assertThat(roles(MachineAssignmentResource.class)).containsExactlyInAnyOrderEntriesOf(Map.of("get",
                Roles.VIEWER, "delete", Roles.OPERATOR));
    }

    @Test
    public void tabsArriveAsPlainJsonValues() throws Exception {
        ScenarioInputDto in = JsonProvider.mapper().readValue("{\"name\":\"s\",\"groupPath\":\"/g\",\"tabs\":{\"fake\":"
                + "{\"command\":\"echo\",\"expectedExitCode\":3,\"list\":[1,true,null]}},\"options\":"
                + "{\"forcedRebootBeforeExecution\":true}}", ScenarioInputDto.class);
        assertThat(in.tabs().get("fake")).containsEntry("command", "echo").containsEntry("expectedExitCode", 3)
                .containsEntry("list", java.util.Arrays.asList(1, true, null));
        assertThat(in.options().toOptions().forcedRebootBeforeExecution()).isTrue();
        assertThat(in.options().toOptions().powerOffAfterExecution()).isFalse();
    }
}
