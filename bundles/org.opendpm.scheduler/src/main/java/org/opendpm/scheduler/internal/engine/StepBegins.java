package org.opendpm.scheduler.internal.engine;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.opendpm.scheduler.internal.engine.StepTable.State;
import org.opendpm.spi.Step;
import org.opendpm.store.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steps that begin (and, with the first, the plan) queued on the engine's loop and written in one transaction by the
 * flush queued behind them, as {@link ExecutionEnds} writes ends: a batch of executions starts and advances
 * together, so one transaction per step of each would make the database the engine's pace. Loop only.
 */
final class StepBegins {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutionEngine.class);

    /** Step {@code index} of {@code plan} to begin; {@code again} when it was begun before (resumed after a restart). */
    record Begin(Run run, List<Step> plan, int index, boolean again, boolean storePlan) {
    }

    private final Database database;
    private final Clock clock;
    private final Runnable queueFlush;
    private final List<Begin> queued = new ArrayList<>();
    private boolean flushQueued;

    StepBegins(Database database, Clock clock, Runnable queueFlush) {
        this.database = database;
        this.clock = clock;
        this.queueFlush = queueFlush;
    }

    void add(Begin begin) {
        queued.add(begin);
        if (!flushQueued) {
            flushQueued = true;
            queueFlush.run();
        }
    }

    /**
     * Writes what is queued and still {@code live}, then hands each written step to {@code carryOut}; a run whose
     * execution ended elsewhere meanwhile (cancelled before it started) goes to {@code gone}. Until written, a run
     * is still at its previous step, so an end meanwhile names and closes that one. What cannot be written now
     * stays queued for the next tick.
     */
    void flush(Predicate<Begin> live, Consumer<Begin> carryOut, Consumer<Run> gone) {
        flushQueued = false;
        queued.removeIf(live.negate());
        if (queued.isEmpty()) {
            return;
        }
        List<Begin> batch = new ArrayList<>(queued);
        Instant now = clock.instant();
        Set<Long> lost;
        try {
            lost = database.inTransaction(c -> {
                Set<Long> ended = new HashSet<>();
                for (Begin b : batch) {
                    long id = b.run().id;
                    if (b.storePlan()) {
                        if (!ExecutionTable.planned(c, id, b.plan().size())) {
                            ended.add(id);
                            continue;
                        }
                        StepTable.insert(c, id, b.plan());
                    }
                    if (b.index() > 0 && !b.again()) {
                        StepTable.end(c, id, b.index() - 1, State.DONE, "", now);
                    }
                    StepTable.begin(c, id, b.index(), now);
                    if (!ExecutionTable.step(c, id, b.index() + 1, b.plan().get(b.index()).name())) {
                        ended.add(id);
                    }
                }
                return ended;
            });
        } catch (RuntimeException e) {
            LOG.warn("{} step change(s) could not be written yet: {}", batch.size(), e.getMessage());
            return;
        }
        queued.removeAll(batch);
        for (Begin b : batch) {
            if (lost.contains(b.run().id)) {
                gone.accept(b.run());
            } else {
                b.run().plan = b.plan();
                b.run().step = b.index();
                carryOut.accept(b);
            }
        }
    }
}
