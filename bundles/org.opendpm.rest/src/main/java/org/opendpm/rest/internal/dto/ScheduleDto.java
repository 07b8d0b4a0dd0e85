package org.opendpm.rest.internal.dto;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

import org.opendpm.api.schedule.Schedule;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A schedule (SCH-1 to SCH-3). {@code at} is the one-off's wall-clock time in {@code timeZone} (ISO-8601 local date and
 * time); {@code createdAt}, {@code lastFiredAt} and {@code nextFireAt} are instants written in {@code timeZone} with
 * their offset, e.g. {@code 2026-03-30T07:30:00+02:00}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Schedule")
public record ScheduleDto(long id, String name, String kind, Long scenarioId, String scenarioName,
        List<Long> machineIds, Long groupId, String groupPath, boolean includeSubgroups,
        @Schema(example = "2026-04-01T07:30:00") String at,
        @Schema(example = "0 30 7 ? * MON-FRI") String cron,
        @Schema(example = "Europe/Berlin") String timeZone, boolean enabled, String createdBy, String createdAt,
        String lastFiredAt, String lastOutcome,
        @Schema(example = "2026-04-01T07:30:00+02:00") String nextFireAt) {

    public static ScheduleDto of(Schedule s) {
        ZoneId zone = ZoneId.of(s.timeZone());
        return new ScheduleDto(s.id(), s.name(), s.kind().name(), s.scenarioId().orElse(null),
                s.scenarioName().orElse(null), s.machineIds(), s.groupId().orElse(null), s.groupPath().orElse(null),
                s.includeSubgroups(), s.at().map(DateTimeFormatter.ISO_LOCAL_DATE_TIME::format).orElse(null),
                s.cron().orElse(null), s.timeZone(), s.enabled(), s.createdBy(), show(Optional.of(s.createdAt()),
                        zone),
                show(s.lastFiredAt(), zone), s.lastOutcome().orElse(null), show(s.nextFireAt(), zone));
    }

    private static String show(Optional<Instant> t, ZoneId zone) {
        return t.map(i -> DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(i.atZone(zone).toOffsetDateTime()))
                .orElse(null);
    }
}
