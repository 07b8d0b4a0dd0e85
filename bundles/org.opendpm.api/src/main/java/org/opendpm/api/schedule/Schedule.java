package org.opendpm.api.schedule;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;

/**
 * A stored schedule and what it did last.
 *
 * @param scenarioName the scenario's name, with {@code scenarioId}
 * @param machineIds the explicit machines, ascending; machines deleted from the inventory have left the list
 * @param groupPath the group's full path, with {@code groupId}
 * @param at a one-off's wall-clock time in {@code timeZone}
 * @param cron a repeating schedule's Quartz cron expression, in {@code timeZone}
 * @param timeZone the IANA time zone id of {@code at} and {@code cron}
 * @param createdBy the user who created it
 * @param lastFiredAt when it last fired
 * @param lastOutcome what that firing did ({@code 12 executions started, 3 refused: ...}), or why a one-off was
 *            missed
 * @param nextFireAt when it fires next; empty when disabled or when a one-off has fired or was missed
 */
public record Schedule(long id, String name, ScheduleKind kind, Optional<Long> scenarioId,
        Optional<String> scenarioName, List<Long> machineIds, Optional<Long> groupId, Optional<String> groupPath,
        boolean includeSubgroups, Optional<LocalDateTime> at, Optional<String> cron, String timeZone,
        boolean enabled, String createdBy, Instant createdAt, Optional<Instant> lastFiredAt,
        Optional<String> lastOutcome, Optional<Instant> nextFireAt) {

    public Schedule {
        machineIds = List.copyOf(machineIds);
    }
}
