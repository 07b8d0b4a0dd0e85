package org.opendpm.rest.internal.dto;

import java.util.List;

/** Machines named by inventory id. */
public record MachineIdsDto(List<Long> machineIds) {
}
