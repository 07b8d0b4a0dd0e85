package org.opendpm.rest.internal.dto;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A schedule to create, or the full new state of one. {@code kind} is EXECUTE (a scenario on {@code machineIds}),
 * GROUP_EXECUTE (a scenario on every machine of a group, by {@code groupId} or {@code groupPath}, sub-groups with
 * {@code includeSubgroups}), POWER_ON or SHUTDOWN (on machines or a group). Give {@code at} (once, an ISO-8601 local
 * date and time without offset) or {@code cron} (repeating, a Quartz cron expression), both read in
 * {@code timeZone}, an IANA id. {@code enabled} defaults to true.
 */
@Schema(name = "ScheduleInput")
public record ScheduleInputDto(String name,
        @Schema(allowableValues = {
                "EXECUTE", "GROUP_EXECUTE", "POWER_ON", "SHUTDOWN" }) String kind,
        Long scenarioId, List<Long> machineIds, Long groupId, String groupPath, Boolean includeSubgroups,
        @Schema(example = "2026-04-01T07:30:00") String at,
        @Schema(example = "0 30 7 ? * MON-FRI") String cron,
        @Schema(example = "Europe/Berlin") String timeZone, Boolean enabled) {
}
