package org.opendpm.rest.internal.dto;

/** A scenario group to create at a full path whose parent exists. */
public record NewScenarioGroupDto(String path) {
}
