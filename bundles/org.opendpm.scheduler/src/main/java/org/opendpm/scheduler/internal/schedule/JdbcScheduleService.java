package org.opendpm.scheduler.internal.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import java.util.concurrent.atomic.AtomicInteger;

import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.execution.ExecutionService;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.power.PowerService;
import org.opendpm.api.schedule.Schedule;
import org.opendpm.api.schedule.ScheduleKind;
import org.opendpm.api.schedule.ScheduleService;
import org.opendpm.api.schedule.ScheduleSpec;
import org.opendpm.scheduler.internal.schedule.ScheduleTable.Row;
import org.opendpm.scheduler.internal.schedule.ScheduleTable.Target;
import org.opendpm.scheduler.internal.schedule.ScheduleTable.Values;
import org.opendpm.scheduler.internal.schedule.ScheduleTimer.Fire;
import org.opendpm.store.Database;
import org.opendpm.store.DatabaseReadyListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.quartz.CronExpression;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schedules over the OpenDPM database, timed by an in-memory Quartz timer that is rebuilt from the table at activation
 * and each time the database becomes ready, and kept in step by every change. The table is the record: a firing reads
 * its schedule from it, so a schedule deleted with its group or scenario (ON DELETE CASCADE) only finds its row gone
 * and drops its timer.
 */
@Component(service = { ScheduleService.class, DatabaseReadyListener.class }, immediate = true,
        configurationPid = ScheduleConfig.PID)
@Designate(ocd = ScheduleConfig.class)
public class JdbcScheduleService implements ScheduleService, DatabaseReadyListener {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcScheduleService.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    static final int MAX_NAME = 255;

    private final Database database;
    private final Firing firing;
    private final Duration grace;
    private final ScheduleTimer timer;
    private volatile boolean stopping;

    @Activate
    public JdbcScheduleService(@Reference Database database, @Reference InventoryService inventory,
            @Reference ExecutionService executions, @Reference PowerService power, ScheduleConfig config) {
        this(database, inventory, executions, power, Duration.ofSeconds(Math.max(0, config.misfireGraceSeconds())),
                Math.max(1, Math.min(16, config.timerThreads())));
    }

    JdbcScheduleService(Database database, InventoryService inventory, ExecutionService executions,
            PowerService power, Duration grace, int threads) {
        this.database = database;
        this.firing = new Firing(database, inventory, executions, power);
        this.grace = grace;
        try {
            timer = new ScheduleTimer("opendpm-schedules-" + INSTANCES.incrementAndGet(), threads, grace, this::fire);
        } catch (SchedulerException e) {
            throw new IllegalStateException("The schedule timer could not start: " + e.getMessage(), e);
        }
        if (database.isAvailable()) {
            rebuild();
        }
    }

    @Deactivate
    void deactivate() {
        stopping = true;
        timer.close();
    }

    @Override
    public void databaseReady(Database ready) {
        rebuild();
    }

    // ---------------------------------------------------------------- reads

    @Override
    public List<Schedule> schedules() {
        return database.inTransaction(c -> {
            Map<Long, List<Long>> machines = ScheduleTable.machineIds(c, null);
            return ScheduleTable.all(c).stream().map(r -> toApi(r, machines.getOrDefault(r.id(), List.of())))
                    .toList();
        });
    }

    @Override
    public Schedule schedule(long id) {
        return database.inTransaction(c -> toApi(row(c, id), ScheduleTable.machineIds(c, id).getOrDefault(id,
                List.of())));
    }

    @Override
    public Optional<Schedule> findSchedule(String name) {
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        return database.inTransaction(c -> {
            Optional<Row> r = ScheduleTable.byName(c, name);
            if (r.isEmpty()) {
                return Optional.<Schedule>empty();
            }
            long id = r.get().id();
            return Optional.of(toApi(r.get(), ScheduleTable.machineIds(c, id).getOrDefault(id, List.of())));
        });
    }

    @Override
    public List<String> scheduleNames(String prefix, int limit) {
        return database.inTransaction(c -> ScheduleTable.names(c, prefix == null ? "" : prefix, Math.max(1, limit)));
    }

    private static Row row(java.sql.Connection c, long id) throws java.sql.SQLException {
        return ScheduleTable.byId(c, id).orElseThrow(() -> new NotFoundException("No schedule with id " + id));
    }

    // ---------------------------------------------------------------- changes

    @Override
    public Schedule create(ScheduleSpec spec, String createdBy) {
        Checked v = check(spec, Instant.now());
        String by = createdBy == null || createdBy.isBlank() ? "unknown" : createdBy.strip();
        long id = database.inTransaction(c -> {
            checkReferences(c, v);
            if (ScheduleTable.byName(c, v.values.name()).isPresent()) {
                throw new ConflictException("A schedule named " + v.values.name() + " exists already");
            }
            long newId = ScheduleTable.insert(c, v.values, by, Instant.now());
            ScheduleTable.replaceMachines(c, newId, v.machineIds);
            return newId;
        });
        LOG.info("Schedule {} ({}) created by {}: {}", v.values.name(), id, by, describe(v.values));
        replan(id);
        return schedule(id);
    }

    @Override
    public Schedule update(long id, ScheduleSpec spec) {
        Checked v = check(spec, Instant.now());
        database.inTransaction(c -> {
            row(c, id);
            checkReferences(c, v);
            Optional<Row> holder = ScheduleTable.byName(c, v.values.name());
            if (holder.isPresent() && holder.get().id() != id) {
                throw new ConflictException("A schedule named " + v.values.name() + " exists already");
            }
            ScheduleTable.update(c, id, v.values);
            ScheduleTable.replaceMachines(c, id, v.machineIds);
            return null;
        });
        LOG.info("Schedule {} ({}) changed: {}", v.values.name(), id, describe(v.values));
        replan(id);
        return schedule(id);
    }

    @Override
    public void delete(long id) {
        String name = database.inTransaction(c -> {
            Row r = row(c, id);
            ScheduleTable.delete(c, id);
            return r.name();
        });
        timer.cancel(id);
        LOG.info("Schedule {} ({}) deleted", name, id);
    }

    @Override
    public Schedule setEnabled(long id, boolean enabled) {
        Instant now = Instant.now();
        database.inTransaction(c -> {
            Row r = row(c, id);
            Instant next = null;
            if (enabled) {
                ZoneId zone = Timing.zone(r.timeZone());
                if (r.oneOff()) {
                    if (!r.runAt().isAfter(now)) {
                        throw new ValidationException("at", "Schedule " + r.name() + " was to run once at "
                                + Timing.show(r.runAt(), zone) + ", which has passed; give it a new time to enable it");
                    }
                    next = r.runAt();
                } else {
                    next = Timing.next(Timing.parse(r.cron(), zone), now).orElse(null);
                }
            }
            ScheduleTable.setEnabled(c, id, enabled, next);
            return null;
        });
        LOG.info("Schedule {} {}", id, enabled ? "enabled" : "disabled");
        replan(id);
        return schedule(id);
    }

    /** A spec checked field by field, before any database work. */
    private record Checked(Values values, List<Long> machineIds) {
    }

    private static Checked check(ScheduleSpec s, Instant now) {
        if (s == null) {
            throw new ValidationException(null, "A schedule is required");
        }
        String name = s.name() == null ? "" : s.name().strip();
        if (name.isEmpty()) {
            throw new ValidationException("name", "name is required");
        }
        if (name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl)) {
            throw new ValidationException("name", "name must be 1 to " + MAX_NAME + " characters without control"
                    + " characters");
        }
        ScheduleKind kind = s.kind();
        if (kind == null) {
            throw new ValidationException("kind", "kind is required: EXECUTE, GROUP_EXECUTE, POWER_ON or SHUTDOWN");
        }
        if (kind.executes() && s.scenarioId().isEmpty()) {
            throw new ValidationException("scenarioId", "scenarioId is required: the scenario to execute");
        }
        if (!kind.executes() && s.scenarioId().isPresent()) {
            throw new ValidationException("scenarioId", "A " + kind + " schedule executes no scenario; leave"
                    + " scenarioId out");
        }
        List<Long> machines = new ArrayList<>(new LinkedHashSet<>(s.machineIds()));
        if (machines.contains(null)) {
            throw new ValidationException("machineIds", "machineIds must not contain null");
        }
        switch (kind) {
        case EXECUTE:
            if (machines.isEmpty()) {
                throw new ValidationException("machineIds", "An EXECUTE schedule needs machineIds; for every"
                        + " machine of a group use GROUP_EXECUTE");
            }
            if (s.groupId().isPresent()) {
                throw new ValidationException("groupId", "An EXECUTE schedule runs on machineIds; for a group"
                        + " use GROUP_EXECUTE");
            }
            break;
        case GROUP_EXECUTE:
            if (s.groupId().isEmpty()) {
                throw new ValidationException("groupId", "A GROUP_EXECUTE schedule needs groupId");
            }
            if (!machines.isEmpty()) {
                throw new ValidationException("machineIds", "A GROUP_EXECUTE schedule runs on its group's"
                        + " machines; for chosen machines use EXECUTE");
            }
            break;
        default:
            if (machines.isEmpty() == s.groupId().isEmpty()) {
                throw new ValidationException("machineIds", "A " + kind + " schedule needs machineIds or"
                        + " groupId, not both");
            }
        }
        if (s.includeSubgroups() && s.groupId().isEmpty()) {
            throw new ValidationException("includeSubgroups", "includeSubgroups applies to a group only");
        }
        ZoneId zone = Timing.zone(s.timeZone());
        if (s.at().isPresent() && s.cron().isPresent()) {
            throw new ValidationException("cron", "Give at (once) or cron (repeating), not both");
        }
        if (s.at().isEmpty() && s.cron().isEmpty()) {
            throw new ValidationException("at", "Give at (once, a local date and time) or cron (repeating)");
        }
        Instant runAt = null;
        String cron = null;
        Instant next;
        if (s.at().isPresent()) {
            runAt = Timing.future(s.at().get(), zone, now);
            next = runAt;
        } else {
            CronExpression e = Timing.cron(s.cron().get(), zone, now);
            cron = e.getCronExpression();
            next = Timing.next(e, now).orElseThrow();
        }
        return new Checked(new Values(name, kind, s.scenarioId().orElse(null), s.groupId().orElse(null),
                s.includeSubgroups(), runAt, cron, zone.getId(), s.enabled(), s.enabled() ? next : null), machines);
    }

    /** The scenario, group and machines must exist (404 naming the first missing one). */
    private static void checkReferences(java.sql.Connection c, Checked v) throws java.sql.SQLException {
        Values x = v.values;
        if (x.scenarioId() != null && ScheduleTable.scenarioName(c, x.scenarioId()).isEmpty()) {
            throw new NotFoundException("No scenario with id " + x.scenarioId());
        }
        if (x.groupId() != null && ScheduleTable.groupPath(c, x.groupId()).isEmpty()) {
            throw new NotFoundException("No machine group with id " + x.groupId());
        }
        List<Long> missing = ScheduleTable.missingMachines(c, v.machineIds);
        if (!missing.isEmpty()) {
            throw new NotFoundException("No machine with id " + missing.get(0) + (missing.size() == 1
                    ? ""
                    : " (and " + (missing.size() - 1) + " more ids are unknown)"));
        }
    }

    private static String describe(Values v) {
        return v.kind() + (v.runAt() != null
                ? " once at " + Timing.show(v.runAt(), ZoneId.of(v.timeZone()))
                : " cron '" + v.cron() + "' in " + v.timeZone()) + (v.enabled() ? "" : ", disabled");
    }

    // ---------------------------------------------------------------- timing

    /** Plans one schedule after a change (a missed one-off is not caught up here: changes refuse past times). */
    private void replan(long id) {
        try {
            Optional<Row> r = database.inTransaction(c -> ScheduleTable.byId(c, id));
            synchronized (this) {
                if (r.isEmpty()) {
                    timer.cancel(id);
                } else {
                    plan(r.get(), Instant.now(), false);
                }
            }
        } catch (RuntimeException e) {
            // The change is stored; the next rebuild (restart, database ready) plans it.
            LOG.error("Schedule {} is saved but could not be timed: {}", id, e.getMessage(), e);
        }
    }

    /** Throws the timer's plan away and plans every schedule from the table, catching up missed firings. */
    synchronized void rebuild() {
        if (stopping) {
            return;
        }
        try {
            List<Row> rows = database.inTransaction(ScheduleTable::all);
            timer.cancelAll();
            Instant now = Instant.now();
            int planned = 0;
            for (Row r : rows) {
                try {
                    if (plan(r, now, true)) {
                        planned++;
                    }
                } catch (RuntimeException e) {
                    LOG.error("Schedule {} ({}) could not be timed: {}", r.name(), r.id(), e.getMessage(), e);
                }
            }
            LOG.info("Schedules timed: {} of {} planned", planned, rows.size());
        } catch (SchedulerException | RuntimeException e) {
            LOG.error("The schedules could not be timed from the database: {}", e.getMessage(), e);
        }
    }

    /**
     * Plans one schedule's firings; returns whether any is planned. At start ({@code atStart}) a planned time
     * missed while the server was down fires once now if it is within the grace, or is recorded as missed.
     */
    private boolean plan(Row r, Instant now, boolean atStart) {
        if (!r.enabled()) {
            timer.cancel(r.id());
            return false;
        }
        ZoneId zone;
        try {
            zone = Timing.zone(r.timeZone());
        } catch (ValidationException e) {
            // The zone was valid when saved; this JVM's time zone data no longer knows it.
            timer.cancel(r.id());
            database.inTransaction(c -> {
                ScheduleTable.recordMissed(c, r.id(), now, "Not timed: " + e.getMessage(), null);
                return null;
            });
            return false;
        }
        try {
            if (r.oneOff()) {
                return planOnce(r, zone, now, atStart);
            }
            return planCron(r, zone, now, atStart);
        } catch (SchedulerException e) {
            throw new IllegalStateException("the timer refused it: " + e.getMessage(), e);
        }
    }

    private boolean planOnce(Row r, ZoneId zone, Instant now, boolean atStart) throws SchedulerException {
        if (r.claimedFireAt() != null && !r.claimedFireAt().isBefore(r.runAt())) {
            timer.cancel(r.id());
            return false;
        }
        if (r.runAt().isAfter(now) || !atStart) {
            // After a change the time was checked to be in the future; if it passed since, the timer fires at once.
            timer.plan(r.id(), r.runAt(), null, null, null);
            return true;
        }
        Duration late = Duration.between(r.runAt(), now);
        if (atStart && late.compareTo(grace) <= 0) {
            LOG.info("Schedule {} ({}) was due at {} while the server was down; it fires now, {} late", r.name(),
                    r.id(), Timing.show(r.runAt(), zone), words(late));
            timer.plan(r.id(), null, null, null, r.runAt());
            return true;
        }
        timer.cancel(r.id());
        missed(r, zone, r.runAt(), now, null);
        return false;
    }

    private boolean planCron(Row r, ZoneId zone, Instant now, boolean atStart) throws SchedulerException {
        CronExpression cron;
        try {
            cron = Timing.parse(r.cron(), zone);
        } catch (ValidationException e) {
            timer.cancel(r.id());
            missed(r, zone, now, now, null);
            return false;
        }
        Instant catchUp = null;
        if (atStart) {
            // Only an occurrence within the grace is caught up (once); older ones are skipped.
            Instant since = latest(r.claimedFireAt(), r.lastFiredAt(), r.createdAt(), now.minus(grace));
            catchUp = Timing.lastBetween(cron, since, now).orElse(null);
            if (catchUp != null) {
                LOG.info("Schedule {} ({}) was due at {} while the server was down; it fires now", r.name(), r.id(),
                        Timing.show(catchUp, zone));
            }
        }
        Optional<Instant> next = Timing.next(cron, now);
        if (next.isEmpty() && catchUp == null) {
            timer.cancel(r.id());
            setNext(r, null);
            return false;
        }
        timer.plan(r.id(), null, next.isPresent() ? cron : null, TimeZone.getTimeZone(zone), catchUp);
        setNext(r, next.orElse(null));
        return true;
    }

    private void setNext(Row r, Instant next) {
        if (!java.util.Objects.equals(r.nextFireAt(), next)) {
            database.inTransaction(c -> {
                ScheduleTable.setNextFireAt(c, r.id(), next);
                return null;
            });
        }
    }

    private void missed(Row r, ZoneId zone, Instant planned, Instant now, Instant next) {
        String text = "Missed: due at " + Timing.show(planned, zone) + " (" + zone + ") while the server was not"
                + " running; it started " + words(Duration.between(planned, now)) + " late, past the misfire grace of "
                + words(grace) + ", so it did not run";
        boolean recorded = database.inTransaction(c -> ScheduleTable.recordMissed(c, r.id(), planned, text, next));
        if (recorded) {
            LOG.warn("Schedule {} ({}): {}", r.name(), r.id(), text);
        }
    }

    private static Instant latest(Instant... times) {
        Instant max = Instant.MIN;
        for (Instant t : times) {
            if (t != null && t.isAfter(max)) {
                max = t;
            }
        }
        return max;
    }

    static String words(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + " s";
        }
        long h = s / 3600;
        long m = s % 3600 / 60;
        return h == 0 ? m + " min" : m == 0 ? h + " h" : h + " h " + m + " min";
    }

    /** The schedules that have a firing planned in the timer. */
    java.util.Set<Long> timed() {
        try {
            return timer.planned();
        } catch (SchedulerException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- firing

    /** Called by the timer: reads the schedule, takes the firing, carries it out and records what it did. */
    void fire(Fire f) {
        if (stopping) {
            return;
        }
        long id = f.scheduleId();
        Optional<Row> found = database.inTransaction(c -> ScheduleTable.byId(c, id));
        if (found.isEmpty() || !found.get().enabled()) {
            // Deleted (maybe with its group or scenario) or disabled since it was timed: nothing to do, no error.
            LOG.info("Schedule {} was {} since it was timed; its timer is removed", id,
                    found.isEmpty() ? "deleted" : "disabled");
            timer.cancel(id);
            return;
        }
        Row r = found.get();
        ZoneId zone = ZoneId.of(r.timeZone());
        Instant now = Instant.now();
        Instant next = r.oneOff() ? null : Timing.next(Timing.parse(r.cron(), zone), now).orElse(null);
        if (!f.lateChecked() && Duration.between(f.planned(), now).compareTo(grace) > 0) {
            missed(r, zone, f.planned(), now, next);
            return;
        }
        boolean mine = database.inTransaction(c -> ScheduleTable.claim(c, id, f.planned()));
        if (!mine) {
            LOG.debug("Schedule {}: the firing planned for {} was taken already", id, f.planned());
            return;
        }
        List<Target> explicit = database.inTransaction(c -> ScheduleTable.targets(c, id));
        LOG.info("Schedule {} ({}) fires: {}", r.name(), id, r.kind());
        String outcome;
        try {
            outcome = firing.run(r, explicit, () -> stopping);
        } catch (RuntimeException e) {
            LOG.error("Schedule {} ({}) failed", r.name(), id, e);
            outcome = "Failed: " + e.getMessage();
        }
        String text = outcome;
        database.inTransaction(c -> {
            ScheduleTable.recordFiring(c, id, now, text, next);
            return null;
        });
        LOG.info("Schedule {} ({}): {}", r.name(), id, text);
    }

    // ---------------------------------------------------------------- mapping

    private static Schedule toApi(Row r, List<Long> machines) {
        ZoneId zone = ZoneId.of(r.timeZone());
        return new Schedule(r.id(), r.name(), r.kind(), Optional.ofNullable(r.scenarioId()),
                Optional.ofNullable(r.scenarioName()), machines, Optional.ofNullable(r.groupId()),
                Optional.ofNullable(r.groupPath()), r.includeSubgroups(),
                r.oneOff() ? Optional.of(r.runAt().atZone(zone).toLocalDateTime()) : Optional.empty(),
                Optional.ofNullable(r.cron()), r.timeZone(), r.enabled(), r.createdBy(), r.createdAt(),
                Optional.ofNullable(r.lastFiredAt()), Optional.ofNullable(r.lastOutcome()),
                Optional.ofNullable(r.nextFireAt()));
    }
}
