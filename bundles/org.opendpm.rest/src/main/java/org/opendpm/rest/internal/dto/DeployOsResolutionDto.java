package org.opendpm.rest.internal.dto;

import java.util.List;

import org.opendpm.api.plugin.DeployOsResolution;

/** The Deploy-OS a machine would boot and the rule that chose it. */
public record DeployOsResolutionDto(String deployOs, String rule, String kernel, String initrd,
        List<String> architectures) {

    public static DeployOsResolutionDto of(DeployOsResolution r) {
        return new DeployOsResolutionDto(r.deployOs().id(), r.rule().name().toLowerCase(java.util.Locale.ROOT),
                r.deployOs().kernel(), r.deployOs().initrd(), r.deployOs().architectures());
    }
}
