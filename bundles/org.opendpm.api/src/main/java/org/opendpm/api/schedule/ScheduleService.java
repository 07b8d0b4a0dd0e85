package org.opendpm.api.schedule;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Schedules kept in the database (SCH-1 to SCH-3): they survive restarts of the server.
 *
 * <p>When a schedule fires, an executing schedule starts the scenario on its machines as a batch: a machine failing a
 * precondition gets a failed execution naming the reason and the others run; a power schedule powers each machine on
 * or shuts it down, and one machine failing does not stop the others. What happened is kept in
 * {@link Schedule#lastOutcome()}.
 *
 * <p>A one-off schedule whose time passed while the server was down fires once when the server starts if it is at
 * most the misfire grace late (configuration {@code org.opendpm.schedules}, one hour by default); later than that it
 * does not fire and its outcome says it was missed. A repeating schedule likewise fires once at start for an
 * occurrence missed within the grace; older occurrences are skipped.
 *
 * <p>A schedule goes with its group or its scenario: deleting either deletes the schedules that use it. A deleted
 * machine leaves the schedules that name it; a schedule left without machines records that it had nothing to do.
 *
 * <p>Errors: bad input {@link org.opendpm.api.ValidationException} naming the field ({@code name}, {@code kind},
 * {@code scenarioId}, {@code machineIds}, {@code groupId}, {@code includeSubgroups}, {@code at}, {@code cron},
 * {@code timeZone}), among them a time zone that is not an IANA id, a one-off time in the past and a cron expression
 * that is malformed or never fires again; unknown schedule, scenario, machine or group
 * {@link org.opendpm.api.NotFoundException}; a name already taken {@link org.opendpm.api.ConflictException}; no
 * database {@link org.opendpm.api.StoreUnavailableException}.
 */
@ProviderType
public interface ScheduleService {

    /** Every schedule, ordered by name. */
    List<Schedule> schedules();

    Schedule schedule(long id);

    /** The schedule of this name, letter case ignored. */
    Optional<Schedule> findSchedule(String name);

    /** Schedule names starting with {@code prefix} (case ignored), sorted, at most {@code limit}: for completion. */
    List<String> scheduleNames(String prefix, int limit);

    /** Creates a schedule; {@code createdBy} is the user asking. */
    Schedule create(ScheduleSpec spec, String createdBy);

    /** Replaces a schedule's name, kind, targets and timing, checked as on creation; its history is kept. */
    Schedule update(long id, ScheduleSpec spec);

    void delete(long id);

    /**
     * Enables or disables a schedule. Enabling a one-off whose time has passed is refused
     * ({@link org.opendpm.api.ValidationException} naming {@code at}): give it a new time instead.
     */
    Schedule setEnabled(long id, boolean enabled);
}
