package org.opendpm.scheduler.internal.engine;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.opendpm.store.Database;

/** The progress and log lines of running steps, collected in memory and written once a tick, not once a report. */
final class StepReports {

    private StepReports() {
    }

    /** Writes the progress and log lines the running steps reported since the last tick, in one transaction. */
    static void flush(Database database, Collection<Run> runs, Instant now) {
        record Report(Run run, StepContextImpl ctx, Optional<StepContextImpl.Progress> progress, List<String> lines) {
        }
        List<Report> reports = new ArrayList<>();
        for (Run run : runs) {
            StepContextImpl ctx = run.context;
            if (ctx != null && run.pendingEnd == null) {
                Optional<StepContextImpl.Progress> p = ctx.takeProgress();
                List<String> lines = ctx.takeLines();
                if (p.isPresent() || !lines.isEmpty()) {
                    reports.add(new Report(run, ctx, p, lines));
                }
            }
        }
        if (reports.isEmpty()) {
            return;
        }
        database.inTransaction(c -> {
            for (Report r : reports) {
                if (r.progress.isPresent()) {
                    StepContextImpl.Progress p = r.progress.get();
                    StepTable.progress(c, r.run.id, r.ctx.index(), p.done(), p.total(), p.unit());
                }
                if (!r.lines.isEmpty()) {
                    StepTable.log(c, r.run.id, r.ctx.index(), r.lines, now);
                }
            }
            return null;
        });
    }
}
