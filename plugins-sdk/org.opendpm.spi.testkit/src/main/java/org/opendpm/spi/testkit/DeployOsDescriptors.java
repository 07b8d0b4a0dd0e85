package org.opendpm.spi.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.opendpm.spi.DeployOs;
import org.opendpm.spi.descriptor.DeployOsDescriptor;
import org.opendpm.spi.descriptor.DeployOsEntry;

/**
 * Loads a vendor's Deploy-OS descriptor from the test class path and resolves models against it the way the core
 * does (exact model first, then pattern; ties by ranking, then document order).
 */
public final class DeployOsDescriptors {

    private final List<DeployOsEntry> entries;

    private DeployOsDescriptors(List<DeployOsEntry> entries) {
        this.entries = entries;
    }

    /** Loads a descriptor resource, for example {@code OSGI-INF/opendpm/deployos-models.xml}. */
    public static DeployOsDescriptors load(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new PluginAssertionError("descriptor " + resource + " is not on the class path");
            }
            return new DeployOsDescriptors(DeployOsDescriptor.parse(in, resource));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<DeployOsEntry> entries() {
        return entries;
    }

    /** Model (or pattern) to Deploy-OS id, in document order. */
    public Map<String, String> table() {
        var table = new LinkedHashMap<String, String>();
        for (DeployOsEntry e : entries) {
            e.keys().forEach(k -> table.put(k, e.deployOs().id()));
        }
        return table;
    }

    /** The Deploy-OS this descriptor alone gives a model: exact match first, then pattern. */
    public Optional<DeployOs> resolve(String model) {
        Optional<DeployOs> exact = best(model, false);
        return exact.isPresent() ? exact : best(model, true);
    }

    private Optional<DeployOs> best(String model, boolean pattern) {
        DeployOsEntry best = null;
        for (DeployOsEntry e : entries) {
            boolean hit = pattern
                    ? e.patterns().stream().anyMatch(p -> DeployOsDescriptor.matches(p, model))
                    : e.models().stream().anyMatch(m -> m.equalsIgnoreCase(model));
            if (hit && (best == null || e.ranking() > best.ranking())) {
                best = e;
            }
        }
        return Optional.ofNullable(best).map(DeployOsEntry::deployOs);
    }
}
