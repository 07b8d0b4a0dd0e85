package org.opendpm.scheduler.internal.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.opendpm.store.Database;

/**
 * The progress and log lines of running steps, collected in memory and written once a tick, not once a report; the
 * progress with its rate and estimated time left (IMG-6), which each run's {@link ProgressRate} computes here.
 */
final class StepReports {

    private StepReports() {
    }

    /** Writes the progress and log lines the running steps reported since the last tick, in one transaction. */
    static void flush(Database database, Collection<Run> runs, Instant now) {
        record Report(Run run, StepContextImpl ctx, Optional<ProgressRate.Snapshot> progress,
                Optional<ProgressRate.Final> ended, List<String> lines) {
        }
        List<Report> reports = new ArrayList<>();
        for (Run run : runs) {
            StepContextImpl ctx = run.context;
            if (ctx != null && run.pendingEnd == null) {
                Optional<ProgressRate.Final> ended = run.rates.takeUnwritten();
                Optional<ProgressRate.Snapshot> p = run.rates.update(ctx.index(), ctx.step().name(),
                        ctx.takeProgress(), now);
                List<String> lines = ctx.takeLines();
                if (p.isPresent() || ended.isPresent() || !lines.isEmpty()) {
                    reports.add(new Report(run, ctx, p, ended, lines));
                }
            }
        }
        if (reports.isEmpty()) {
            return;
        }
        database.inTransaction(c -> {
            for (Report r : reports) {
                if (r.ended.isPresent()) {
                    ProgressRate.Final f = r.ended.get();
                    StepTable.progress(c, r.run.id, f.step(), f.snapshot(), false);
                }
                if (r.progress.isPresent()) {
                    StepTable.progress(c, r.run.id, r.ctx.index(), r.progress.get(), true);
                }
                if (!r.lines.isEmpty()) {
                    StepTable.log(c, r.run.id, r.ctx.index(), r.lines, now);
                }
            }
            return null;
        });
    }

    /** A step has ended: its last report counts for its figures (written by the next tick if the run goes on). */
    static void stepEnded(Run run, Instant now) {
        StepContextImpl ctx = run.context;
        if (ctx != null) {
            run.rates.stepEnded(ctx.index(), ctx.step().name(), ctx.takeProgress(), now);
        }
    }

    /**
     * The message an ending run is stored with: {@code message} with the figures of its byte-counting steps (bytes,
     * elapsed time, average rate), which alone make a completed execution's message, and its warnings (IMG-5).
     */
    static String withFigures(Run run, String message, Instant now) {
        stepEnded(run, now);
        String figures = run.rates.figures();
        String m = figures.isEmpty() ? message : message.isEmpty() ? figures : message + " (" + figures + ")";
        for (String w : run.warnings) {
            m = (m.isEmpty() ? "" : m + "; ") + "warning: " + w;
        }
        return m;
    }
}
