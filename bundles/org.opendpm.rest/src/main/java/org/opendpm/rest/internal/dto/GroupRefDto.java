package org.opendpm.rest.internal.dto;

import java.util.List;

/**
 * A destination group, by id or by full path (one of them), and for bulk moves the machines to move.
 *
 * @param groupPath {@code "/"} means the top level where a group (not a machine) is moved
 */
public record GroupRefDto(Long groupId, String groupPath, List<Long> machineIds) {
}
