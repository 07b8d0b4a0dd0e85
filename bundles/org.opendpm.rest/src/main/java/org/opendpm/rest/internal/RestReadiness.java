package org.opendpm.rest.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.osgi.service.jaxrs.runtime.JaxrsServiceRuntime;
import org.osgi.service.jaxrs.runtime.dto.ApplicationDTO;
import org.osgi.service.jaxrs.runtime.dto.ResourceDTO;
import org.osgi.service.jaxrs.runtime.dto.RuntimeDTO;
import org.osgi.service.jaxrs.whiteboard.JaxrsWhiteboardConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether every REST resource of this bundle has joined the application. The JAX-RS whiteboard rebuilds the
 * application each time a resource arrives, and while it rebuilds every request gets 404; resources arrive as the
 * services they need start (the engine after the database migrations, say), so without this gate a client that saw
 * its first answer could get 404 on its next request. Until ready, the authentication filter answers 503 "OpenDPM is
 * starting" with Retry-After instead.
 *
 * <p>Ready once every enabled resource component of this bundle is satisfied and its service is among the
 * application's resources. A resource that stays unsatisfied (a missing service) must not keep the API closed: after
 * {@link #PATIENCE} the gate opens anyway and the log names each missing resource and the references it waits for.
 * Once open, it stays open; later arrivals (a plugin restarting a service) rebuild the application as before.
 */
public final class RestReadiness {

    private static final Logger LOG = LoggerFactory.getLogger(RestReadiness.class);
    static final Duration PATIENCE = Duration.ofSeconds(60);

    private final Supplier<List<String>> missing;
    private final Clock clock;
    private final Instant since;
    private volatile boolean ready;

    /** Over the resources of {@code context}'s bundle as DS and the JAX-RS whiteboard see them. */
    public RestReadiness(BundleContext context, ServiceComponentRuntime scr, JaxrsServiceRuntime runtime,
            Clock clock) {
        this(() -> missing(context, scr, runtime), clock);
    }

    /** @param missing each resource not yet served, with why; empty when all are */
    public RestReadiness(Supplier<List<String>> missing, Clock clock) {
        this.missing = missing;
        this.clock = clock;
        this.since = clock.instant();
    }

    /** True once every resource has joined, or once the patience ran out (logged then). */
    public boolean ready() {
        if (ready) {
            return true;
        }
        List<String> missing = this.missing.get();
        if (missing.isEmpty()) {
            ready = true;
            LOG.info("Every REST resource has joined the application");
        } else if (Duration.between(since, clock.instant()).compareTo(PATIENCE) >= 0) {
            ready = true;
            LOG.warn("The REST API opens after {} s without {} resource(s): {}", PATIENCE.toSeconds(), missing.size(),
                    String.join("; ", missing));
        }
        return ready;
    }

    /** Each resource component of {@code context}'s bundle not yet served, with why. */
    static List<String> missing(BundleContext context, ServiceComponentRuntime scr, JaxrsServiceRuntime runtime) {
        Set<Long> served = servedResources(runtime.getRuntimeDTO());
        Bundle bundle = context.getBundle();
        List<String> missing = new ArrayList<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(bundle)) {
            if (!"true".equals(String.valueOf(d.properties.get(JaxrsWhiteboardConstants.JAX_RS_RESOURCE)))
                    || !scr.isComponentEnabled(d)) {
                continue;
            }
            var configurations = scr.getComponentConfigurationDTOs(d);
            if (configurations.isEmpty()) {
                missing.add(d.name + " (no configuration)");
                continue;
            }
            for (ComponentConfigurationDTO c : configurations) {
                if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE) {
                    List<String> refs = new ArrayList<>();
                    for (UnsatisfiedReferenceDTO u : c.unsatisfiedReferences) {
                        refs.add(u.name + " " + u.target);
                    }
                    missing.add(d.name + " (waits for " + String.join(", ", refs) + ")");
                } else if (c.state != ComponentConfigurationDTO.SATISFIED
                        && c.state != ComponentConfigurationDTO.ACTIVE) {
                    missing.add(d.name + " (state " + c.state + ")");
                } else if (!served.contains(serviceId(context, c.id))) {
                    missing.add(d.name + " (not yet in the application)");
                }
            }
        }
        return missing;
    }

    private static long serviceId(BundleContext context, long componentId) {
        try {
            ServiceReference<?>[] refs = context.getServiceReferences((String) null, "(component.id=" + componentId
                    + ")");
            return refs == null || refs.length == 0 ? -1 : (Long) refs[0].getProperty("service.id");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("a component id filter is valid", e);
        }
    }

    private static Set<Long> servedResources(RuntimeDTO dto) {
        Set<Long> ids = new HashSet<>();
        List<ApplicationDTO> apps = new ArrayList<>();
        if (dto.defaultApplication != null) {
            apps.add(dto.defaultApplication);
        }
        if (dto.applicationDTOs != null) {
            apps.addAll(List.of(dto.applicationDTOs));
        }
        for (ApplicationDTO a : apps) {
            if (a.resourceDTOs != null) {
                for (ResourceDTO r : a.resourceDTOs) {
                    ids.add(r.serviceId);
                }
            }
        }
        return ids;
    }
}
