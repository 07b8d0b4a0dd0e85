package org.opendpm.spi.descriptor;

import java.util.List;

import org.opendpm.spi.DeployOs;

/**
 * One Deploy-OS of a descriptor and the models that boot it.
 *
 * @param deployOs the Deploy-OS
 * @param models exact model names
 * @param patterns model glob patterns ({@code *}, {@code ?})
 * @param ranking the {@code service.ranking} of the service registered for this entry
 */
public record DeployOsEntry(DeployOs deployOs, List<String> models, List<String> patterns, int ranking) {
    public DeployOsEntry {
        models = List.copyOf(models);
        patterns = List.copyOf(patterns);
    }

    /** Models and patterns together, as published in the service property. */
    public List<String> keys() {
        var all = new java.util.ArrayList<String>(models);
        all.addAll(patterns);
        return List.copyOf(all);
    }
}
