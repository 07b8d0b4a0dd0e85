package org.opendpm.rest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.osgi.service.jaxrs.runtime.JaxrsServiceRuntime;
import org.osgi.service.jaxrs.runtime.dto.ApplicationDTO;
import org.osgi.service.jaxrs.runtime.dto.ResourceDTO;
import org.osgi.service.jaxrs.runtime.dto.RuntimeDTO;

/** The REST API opens only once every resource has joined the application, so no 404 follows a first answer. */
public class RestReadinessTest {

    private final List<ComponentDescriptionDTO> descriptions = new ArrayList<>();
    private final Map<Long, ComponentConfigurationDTO> configurations = new java.util.HashMap<>();
    /** Service id of each component id that has registered its service. */
    private final Map<Long, Long> services = new java.util.HashMap<>();
    private final List<Long> served = new ArrayList<>();

    private ComponentConfigurationDTO component(String name, boolean resource, int state) {
        ComponentDescriptionDTO d = new ComponentDescriptionDTO();
        d.name = name;
        d.properties = resource ? Map.of("osgi.jaxrs.resource", "true") : Map.of();
        descriptions.add(d);
        ComponentConfigurationDTO c = new ComponentConfigurationDTO();
        c.id = descriptions.size();
        c.state = state;
        c.unsatisfiedReferences = new UnsatisfiedReferenceDTO[0];
        configurations.put(c.id, c);
        return c;
    }

    private List<String> missing() {
        ServiceComponentRuntime scr = proxy(ServiceComponentRuntime.class, (m, args) -> switch (m) {
        case "getComponentDescriptionDTOs" -> descriptions;
        case "isComponentEnabled" -> true;
        case "getComponentConfigurationDTOs" -> List.of(configurations.get(
                (long) descriptions.indexOf((ComponentDescriptionDTO) args[0]) + 1));
        default -> throw new AssertionError(m);
        });
        JaxrsServiceRuntime runtime = proxy(JaxrsServiceRuntime.class, (m, args) -> {
            RuntimeDTO dto = new RuntimeDTO();
            ApplicationDTO app = new ApplicationDTO();
            app.resourceDTOs = served.stream().map(id -> {
                ResourceDTO r = new ResourceDTO();
                r.serviceId = id;
                return r;
            }).toArray(ResourceDTO[]::new);
            dto.applicationDTOs = new ApplicationDTO[]{ app };
            return dto;
        });
        BundleContext context = proxy(BundleContext.class, (m, args) -> switch (m) {
        case "getBundle" -> proxy(Bundle.class, (m2, a2) -> {
            throw new AssertionError(m2);
        });
        case "getServiceReferences" -> {
            long component = Long.parseLong(((String) args[1]).replaceAll("\\D", ""));
            Long service = services.get(component);
            yield service == null ? null : new ServiceReference<?>[]{ reference(service) };
        }
        default -> throw new AssertionError(m);
        });
        return RestReadiness.missing(context, scr, runtime);
    }

    private static ServiceReference<?> reference(long serviceId) {
        return proxy(ServiceReference.class, (m, args) -> switch (m) {
        case "getProperty" -> "service.id".equals(args[0]) ? serviceId : null;
        default -> throw new AssertionError(m);
        });
    }

    private interface Answer {
        Object answer(String method, Object[] args);
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Answer answer) {
        return (T) Proxy.newProxyInstance(RestReadinessTest.class.getClassLoader(), new Class<?>[]{ type },
                (p, m, args) -> answer.answer(m.getName(), args));
    }

    @Test
    public void readyWhenEverySatisfiedResourceIsServedAndNamesEachOneThatIsNot() {
        ComponentConfigurationDTO machines = component("MachineResource", true, ComponentConfigurationDTO.ACTIVE);
        ComponentConfigurationDTO executions = component("ExecutionResource", true,
                ComponentConfigurationDTO.UNSATISFIED_REFERENCE);
        UnsatisfiedReferenceDTO ref = new UnsatisfiedReferenceDTO();
        ref.name = "executions";
        ref.target = "(objectClass=ExecutionService)";
        executions.unsatisfiedReferences = new UnsatisfiedReferenceDTO[]{ ref };
        component("AuthenticationFilter", false, ComponentConfigurationDTO.ACTIVE);
        services.put(machines.id, 101L);

        assertThat(missing()).containsExactly("MachineResource (not yet in the application)",
                "ExecutionResource (waits for executions (objectClass=ExecutionService))");

        served.add(101L);
        executions.state = ComponentConfigurationDTO.SATISFIED;
        services.put(executions.id, 102L);
        assertThat(missing()).containsExactly("ExecutionResource (not yet in the application)");

        served.add(102L);
        assertThat(missing()).isEmpty();
    }

    @Test
    public void opensAfterThePatienceWithoutAResourceThatNeverComesAndStaysOpen() {
        MutableClock clock = new MutableClock();
        List<String> missing = new ArrayList<>(List.of("ImageResource (waits for images)"));
        RestReadiness gate = new RestReadiness(() -> List.copyOf(missing), clock);
        assertThat(gate.ready()).isFalse();
        clock.now = clock.now.plus(RestReadiness.PATIENCE.minusSeconds(1));
        assertThat(gate.ready()).isFalse();
        clock.now = clock.now.plusSeconds(1);
        assertThat(gate.ready()).isTrue();
        missing.add("another");
        assertThat(gate.ready()).isTrue();
    }

    @Test
    public void opensAsSoonAsNothingIsMissing() {
        List<String> missing = new ArrayList<>(List.of("x (not yet in the application)"));
        RestReadiness gate = new RestReadiness(() -> List.copyOf(missing), new MutableClock());
        assertThat(gate.ready()).isFalse();
        missing.clear();
        assertThat(gate.ready()).isTrue();
    }

    private static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-12-07T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
