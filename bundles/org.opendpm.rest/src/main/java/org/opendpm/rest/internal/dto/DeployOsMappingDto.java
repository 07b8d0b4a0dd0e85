package org.opendpm.rest.internal.dto;

import org.opendpm.api.plugin.DeployOsMapping;

/** A machine model (or model pattern) and the Deploy-OS it boots. */
public record DeployOsMappingDto(String model, boolean pattern, String deployOs, String bundle) {

    public static DeployOsMappingDto of(DeployOsMapping m) {
        return new DeployOsMappingDto(m.model(), m.pattern(), m.deployOsId(), m.bundle());
    }
}
