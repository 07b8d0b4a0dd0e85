package org.opendpm.rest.internal.events;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;

import org.opendpm.rest.internal.dto.ExecutionDto;

/**
 * What changed in the Scenario Execution List between two readings: each execution whose state, step, progress or
 * message differs from what was last sent, and each that left the list, read once more for how it ended. However
 * often a step reported progress in between, an execution appears at most once per reading, so readings once a
 * second send each execution at most once a second. Not thread-safe: one reader calls it.
 */
final class ExecutionChanges {

    private final Map<Long, ExecutionDto> sent = new HashMap<>();

    /**
     * The changes since the last call, in the order of {@code active} and then the finished ones.
     *
     * @param active the waiting and running executions now
     * @param ended an execution that left the list, read by id; empty if it is gone (deleted)
     */
    List<ExecutionDto> next(List<ExecutionDto> active, LongFunction<Optional<ExecutionDto>> ended) {
        List<ExecutionDto> changes = new ArrayList<>();
        Set<Long> now = new HashSet<>();
        for (ExecutionDto e : active) {
            now.add(e.id());
            if (!e.equals(sent.put(e.id(), e))) {
                changes.add(e);
            }
        }
        for (Iterator<Long> it = sent.keySet().iterator(); it.hasNext();) {
            long id = it.next();
            if (!now.contains(id)) {
                it.remove();
                ended.apply(id).ifPresent(changes::add);
            }
        }
        return changes;
    }

    /** Forgets what was sent (no one listens any more; the next listener starts from a full list). */
    void clear() {
        sent.clear();
    }
}
