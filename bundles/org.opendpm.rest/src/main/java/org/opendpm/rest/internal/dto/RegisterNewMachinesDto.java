package org.opendpm.rest.internal.dto;

import java.util.List;

/** New Machines to register into one group (by id or path), each optionally with the name to give it. */
public record RegisterNewMachinesDto(Long groupId, String groupPath, List<Choice> machines) {

    public record Choice(Long id, String name) {
    }
}
