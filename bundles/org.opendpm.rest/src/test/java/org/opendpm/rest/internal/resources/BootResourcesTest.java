package org.opendpm.rest.internal.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.Principal;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import javax.ws.rs.BadRequestException;
import javax.ws.rs.ServiceUnavailableException;
import javax.ws.rs.core.SecurityContext;

import org.junit.Test;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.boot.BootIntentService;
import org.opendpm.api.boot.BootStatus;
import org.opendpm.api.boot.MachineBootIntent;
import org.opendpm.api.boot.NextBoot;
import org.opendpm.api.boot.NextBootKind;
import org.opendpm.api.boot.ServerPorts;
import org.opendpm.rest.internal.ProblemMapper;
import org.opendpm.rest.internal.dto.BootIntentDto;
import org.opendpm.rest.internal.dto.BootIntentInputDto;
import org.opendpm.rest.internal.dto.BootStatusDto;
import org.opendpm.rest.internal.dto.Problem;
import org.opendpm.rest.internal.json.JsonProvider;

public class BootResourcesTest {

    /** Machine 7 exists; intents kept in a map, as the real service keeps them in a table. */
    private static final class Intents implements BootIntentService {
        final Map<Long, MachineBootIntent> stored = new HashMap<>();

        private void exists(long id) {
            if (id != 7) {
                throw new NotFoundException("Machine " + id + " does not exist");
            }
        }

        @Override
        public Optional<MachineBootIntent> get(long machineId) {
            exists(machineId);
            return Optional.ofNullable(stored.get(machineId));
        }

        @Override
        public MachineBootIntent set(long machineId, NextBoot intent, String setBy) {
            exists(machineId);
            if (intent.kind() == NextBootKind.OS_INSTALLER && intent.kernel().isBlank()) {
                throw new ValidationException("kernel", "kernel required");
            }
            MachineBootIntent m = new MachineBootIntent(machineId, intent, setBy,
                    Instant.parse("2026-03-01T10:00:00Z"));
            stored.put(machineId, m);
            return m;
        }

        @Override
        public boolean clear(long machineId) {
            exists(machineId);
            return stored.remove(machineId) != null;
        }

        @Override
        public boolean clearIfSetAt(long machineId, Instant setAt) {
            throw new AssertionError("not used by this test");
        }
    }

    private static SecurityContext user(String name) {
        Principal p = () -> name;
        return new SecurityContext() {
            @Override
            public Principal getUserPrincipal() {
                return p;
            }

            @Override
            public boolean isUserInRole(String role) {
                return true;
            }

            @Override
            public boolean isSecure() {
                return false;
            }

            @Override
            public String getAuthenticationScheme() {
                return BASIC_AUTH;
            }
        };
    }

    private final Intents intents = new Intents();
    private final MachineBootIntentResource resource = new MachineBootIntentResource(intents);

    private static BootIntentInputDto json(String body) throws Exception {
        return JsonProvider.mapper().readValue(body, BootIntentInputDto.class);
    }

    @Test
    public void setReadAndClearAnIntentWithWhoSetIt() throws Exception {
        assertThat(resource.get("7")).isEqualTo(BootIntentDto.none(7));
        BootIntentDto set = resource.put("7", json("{\"intent\":\"os-installer\",\"kernel\":\"pxelinux/r9/vmlinuz\","
                + "\"initrd\":\"pxelinux/r9/initrd.img\",\"bootArguments\":\"inst.ks=x\",\"oneShot\":true}"),
                user("alice"));
        assertThat(set).isEqualTo(new BootIntentDto(7, "OS_INSTALLER", null, "pxelinux/r9/vmlinuz",
                "pxelinux/r9/initrd.img", "inst.ks=x", true, true, "alice", "2026-03-01T10:00:00Z"));
        assertThat(resource.get("7")).isEqualTo(set);

        resource.put("7", json("{\"intent\":\"DEPLOY_OS\",\"deployOs\":\"ia32_150413_26\"}"), user("bob"));
        assertThat(intents.stored.get(7L).intent()).isEqualTo(NextBoot.deployOs(Optional.of("ia32_150413_26"), false));

        assertThat(resource.delete("7").getStatus()).isEqualTo(204);
        assertThat(resource.get("7").stored()).isFalse();
    }

    @Test
    public void badIntentsAreRefusedNamingTheField() throws Exception {
        assertThatThrownBy(() -> resource.put("7", json("{\"intent\":\"network\"}"), user("alice")))
                .isInstanceOfSatisfying(ValidationException.class, e -> {
                    assertThat(e.field()).isEqualTo("intent");
                    assertThat(e.getMessage()).contains("LOCAL_DISK", "DEPLOY_OS", "OS_INSTALLER");
                });
        assertThatThrownBy(() -> resource.put("7", json("{\"oneShot\":true}"), user("alice")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("intent"));
        assertThatThrownBy(() -> resource.put("7", null, user("alice"))).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> resource.put("x", json("{\"intent\":\"LOCAL_DISK\"}"), user("alice")))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("id"));
        assertThatThrownBy(() -> resource.get("8")).isInstanceOf(NotFoundException.class);
        // Strict JSON: an unknown field or a wrong type is a 400 naming it.
        assertThat(problem("{\"intent\":\"LOCAL_DISK\",\"kernal\":\"x\"}").field()).isEqualTo("kernal");
        assertThat(problem("{\"intent\":\"LOCAL_DISK\",\"oneShot\":\"yes\"}").field()).isEqualTo("oneShot");
        assertThat(intents.stored).isEmpty();
    }

    private static Problem problem(String body) {
        try {
            json(body);
        } catch (Exception e) {
            Problem p = (Problem) new ProblemMapper().toResponse(new BadRequestException(e)).getEntity();
            assertThat(p.status()).isEqualTo(400);
            return p;
        }
        throw new AssertionError("accepted: " + body);
    }

    @Test
    public void withoutNetbootTheResourcesAnswer503() {
        assertThatThrownBy(() -> new BootResource(null).status()).isInstanceOf(ServiceUnavailableException.class)
                .hasMessageContaining("opendpm-netboot");
        assertThatThrownBy(() -> new MachineBootIntentResource(null).get("7"))
                .isInstanceOf(ServiceUnavailableException.class);
        Problem p = (Problem) new ProblemMapper().toResponse(new ServiceUnavailableException("x")).getEntity();
        assertThat(p.status()).isEqualTo(503);
    }

    @Test
    public void statusCopiesEveryCounter() {
        BootStatus s = new BootStatus(new BootStatus.Tftp(true, 2, 10, 7, 1, 4096, 0, 3, Map.of("file_not_found", 1L)),
                new BootStatus.Pxe(true, 20, Map.of("truncated", 2L), Map.of("answered", 15L)), 5, 16, 4,
                new ServerPorts(26600, 26509, 26510, 26520, 26529, 68));
        BootStatusDto dto = new BootResource(() -> s).status();
        assertThat(dto.tftp()).isEqualTo(new BootStatusDto.Tftp(true, 2, 10, 7, 1, 4096, 0, 3,
                Map.of("file_not_found", 1L)));
        assertThat(dto.pxe()).isEqualTo(new BootStatusDto.Pxe(true, 20, Map.of("truncated", 2L),
                Map.of("answered", 15L)));
        assertThat(dto.clientsSeen()).isEqualTo(5);
        assertThat(dto.bootDecisions()).isEqualTo(16);
        assertThat(dto.httpBootRequests()).isEqualTo(4);
        assertThat(dto.ports()).isEqualTo(new BootStatusDto.Ports(26600, 26509, 26510, 26520, 26529, 68));
    }
}
