package org.opendpm.api.schedule;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an administrator gives to create a schedule or replace one.
 *
 * <p>Targets by kind: {@link ScheduleKind#EXECUTE} takes {@code machineIds}; {@link ScheduleKind#GROUP_EXECUTE} takes
 * {@code groupId}; {@link ScheduleKind#POWER_ON} and {@link ScheduleKind#SHUTDOWN} take either. The machines of a
 * group are found when the schedule fires, so machines added to the group later are included.
 *
 * <p>Timing: exactly one of {@code at} (once) and {@code cron} (repeating).
 *
 * @param name unique among schedules, letter case ignored; 1 to 255 characters, no control characters
 * @param scenarioId the scenario to execute; only for the executing kinds, where it is required
 * @param machineIds explicit machines (inventory ids); duplicates are ignored
 * @param groupId a machine group whose machines are the targets
 * @param includeSubgroups with {@code groupId}: also the machines of its sub-groups, at any depth
 * @param at once, at this wall-clock time in {@code timeZone}; must be in the future and must exist in that zone
 *            (not inside a daylight-saving gap)
 * @param cron repeating, by a Quartz cron expression in {@code timeZone}: seconds, minutes, hours, day of month,
 *            month, day of week and an optional year, e.g. {@code 0 30 7 ? * MON-FRI} for every weekday at 07:30
 * @param timeZone an IANA time zone id ({@code Europe/Berlin}, {@code Asia/Tokyo}, {@code UTC})
 * @param enabled whether it fires; a disabled schedule is kept but does nothing
 */
public record ScheduleSpec(String name, ScheduleKind kind, Optional<Long> scenarioId, List<Long> machineIds,
        Optional<Long> groupId, boolean includeSubgroups, Optional<LocalDateTime> at, Optional<String> cron,
        String timeZone, boolean enabled) {

    public ScheduleSpec {
        Objects.requireNonNull(scenarioId, "scenarioId");
        machineIds = machineIds == null ? List.of() : List.copyOf(machineIds);
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(cron, "cron");
    }
}
