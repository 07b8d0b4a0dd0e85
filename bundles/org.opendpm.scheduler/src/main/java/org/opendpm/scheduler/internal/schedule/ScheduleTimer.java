package org.opendpm.scheduler.internal.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.TimeZone;
import java.util.function.Consumer;

import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.DirectSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.simpl.RAMJobStore;
import org.quartz.simpl.SimpleThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory timer: one Quartz scheduler (RAMJobStore, its own small thread pool) per instance. It only says when;
 * the database says what, so the timer can be thrown away and rebuilt from the table at any time. Quartz is built
 * from objects, not from class names and properties, and our factory creates the jobs, so nothing is loaded by name.
 */
final class ScheduleTimer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduleTimer.class);
    private static final String GROUP = "opendpm-schedule";
    private static final String PLANNED = "planned";
    private static final String CHECKED = "checked";

    /** One firing handed to the service. */
    record Fire(long scheduleId, Instant planned, boolean lateChecked) {
    }

    private final Scheduler scheduler;

    /**
     * @param name unique in this JVM (Quartz keeps schedulers by name)
     * @param misfireThreshold how late a firing may still start; later, Quartz skips a repeating one
     */
    ScheduleTimer(String name, int threads, Duration misfireThreshold, Consumer<Fire> onFire)
            throws SchedulerException {
        SimpleThreadPool pool = new SimpleThreadPool(threads, Thread.NORM_PRIORITY);
        pool.setThreadNamePrefix(name);
        pool.setMakeThreadsDaemons(true);
        RAMJobStore store = new RAMJobStore();
        store.setMisfireThreshold(Math.max(1000, misfireThreshold.toMillis()));
        DirectSchedulerFactory factory = DirectSchedulerFactory.getInstance();
        factory.createScheduler(name, name, pool, store);
        scheduler = factory.getScheduler(name);
        scheduler.setJobFactory((bundle, s) -> new FireJob(onFire));
        scheduler.start();
    }

    /** Runs a firing: the job class only carries Quartz's "one at a time per schedule" rule. */
    @DisallowConcurrentExecution
    static final class FireJob implements Job {
        private final Consumer<Fire> onFire;

        FireJob(Consumer<Fire> onFire) {
            this.onFire = onFire;
        }

        @Override
        public void execute(JobExecutionContext context) {
            long id = Long.parseLong(context.getJobDetail().getKey().getName());
            var data = context.getMergedJobDataMap();
            Instant planned = data.containsKey(PLANNED)
                    ? Instant.ofEpochMilli(data.getLong(PLANNED))
                    : context.getScheduledFireTime().toInstant();
            try {
                onFire.accept(new Fire(id, planned, data.containsKey(CHECKED) && data.getBoolean(CHECKED)));
            } catch (RuntimeException e) {
                // Logged here so Quartz never sees a failing job: the next firing is planned as usual.
                LOG.error("Schedule {} failed to fire", id, e);
            }
        }
    }

    private static JobKey key(long id) {
        return new JobKey(Long.toString(id), GROUP);
    }

    /**
     * Plans the schedule's firings, replacing what was planned: a one-off {@code at}, a cron expression, and a
     * catch-up firing now for a planned time that was missed (already checked against the grace).
     */
    void plan(long id, Instant at, CronExpression cron, TimeZone zone, Instant catchUp) throws SchedulerException {
        JobDetail job = JobBuilder.newJob(FireJob.class).withIdentity(key(id)).build();
        Set<Trigger> triggers = new LinkedHashSet<>();
        if (at != null) {
            triggers.add(TriggerBuilder.newTrigger().withIdentity(id + "-once", GROUP).forJob(job)
                    .usingJobData(PLANNED, at.toEpochMilli()).startAt(Date.from(at))
                    .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
                    .build());
        }
        if (cron != null) {
            triggers.add(TriggerBuilder.newTrigger().withIdentity(id + "-cron", GROUP).forJob(job)
                    .withSchedule(CronScheduleBuilder.cronSchedule(cron.getCronExpression()).inTimeZone(zone)
                            .withMisfireHandlingInstructionDoNothing())
                    .build());
        }
        if (catchUp != null) {
            triggers.add(TriggerBuilder.newTrigger().withIdentity(id + "-catch-up", GROUP).forJob(job)
                    .usingJobData(PLANNED, catchUp.toEpochMilli()).usingJobData(CHECKED, true).startNow()
                    .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
                    .build());
        }
        if (triggers.isEmpty()) {
            cancel(id);
            return;
        }
        scheduler.scheduleJob(job, triggers, true);
    }

    void cancel(long id) {
        try {
            scheduler.deleteJob(key(id));
        } catch (SchedulerException e) {
            LOG.warn("Could not remove the timer of schedule {}", id, e);
        }
    }

    void cancelAll() throws SchedulerException {
        scheduler.deleteJobs(new java.util.ArrayList<>(scheduler.getJobKeys(GroupMatcher.jobGroupEquals(GROUP))));
    }

    /** The schedules that have a firing planned. */
    Set<Long> planned() throws SchedulerException {
        Set<Long> ids = new HashSet<>();
        for (JobKey k : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(GROUP))) {
            ids.add(Long.parseLong(k.getName()));
        }
        return ids;
    }

    /** Stops firing; firings in progress finish on their own threads (they watch the service's stopping flag). */
    @Override
    public void close() {
        try {
            scheduler.shutdown(false);
        } catch (SchedulerException e) {
            LOG.warn("Stopping the schedule timer failed", e);
        }
    }
}
