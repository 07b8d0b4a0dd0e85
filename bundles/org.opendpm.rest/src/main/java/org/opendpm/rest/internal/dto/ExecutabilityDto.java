package org.opendpm.rest.internal.dto;

import org.opendpm.api.scenario.Executability;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Whether a scenario can run now, why not, and whether it needs the Deploy-OS. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExecutabilityDto(boolean executable, String reason, boolean needsDeployOs) {

    public static ExecutabilityDto of(Executability e) {
        return new ExecutabilityDto(e.executable(), e.reason().orElse(null), e.needsDeployOs());
    }
}
