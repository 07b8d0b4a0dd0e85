package org.opendpm.scheduler.internal.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The rate and estimated time left of one run's current step, computed from its progress reports once a tick
 * (IMG-6), and the figures of its finished byte-counting steps (bytes, elapsed time, average rate) for the execution's
 * result. The rate is the progress over the last {@link #WINDOW}: a tick without a new report counts as no progress,
 * so a stalled transfer's rate falls to 0. Elapsed time runs from the first tick that saw the step. Loop only.
 */
final class ProgressRate {

    static final Duration WINDOW = Duration.ofSeconds(5);

    /** What to store for the step: its last progress with rate and ETA in seconds, each -1 when not known. */
    record Snapshot(long done, long total, String unit, long rate, long etaSeconds) {
    }

    /** A step's last report, made after the tick before its end. */
    record Final(int step, Snapshot snapshot) {
    }

    private record Sample(Instant at, long done) {
    }

    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private final List<String> finished = new ArrayList<>();
    private int step = -1;
    private String stepName;
    private Instant stepSeen;
    private Snapshot last;
    /** When {@code done} last grew: the end of the step's work for its average. */
    private Instant lastGrowth;
    /** The last report of a step that ended, to be stored by the next tick (its row is no longer running). */
    private Final unwritten;
    /** The step that ended last: late reports of it are ignored. */
    private int ended = -1;

    /** Takes this tick's report of step {@code index}, if it made one, and returns what to store when it changed. */
    Optional<Snapshot> update(int index, String name, Optional<StepContextImpl.Progress> report, Instant now) {
        if (index == ended) {
            return Optional.empty();
        }
        if (index != step) {
            close();
            step = index;
            stepName = name;
            stepSeen = now;
        }
        long done;
        long total;
        String unit;
        if (report.isEmpty()) {
            if (last == null) {
                return Optional.empty();
            }
            done = last.done();
            total = last.total();
            unit = last.unit();
        } else {
            done = report.get().done();
            total = report.get().total();
            unit = report.get().unit();
            if (last != null && (done < last.done() || !unit.equals(last.unit()))) {
                samples.clear(); // counted again from a lower figure (a transfer resumed): old samples say nothing
            }
        }
        if (last == null || done > last.done()) {
            lastGrowth = now;
        }
        samples.addLast(new Sample(now, done));
        while (samples.size() > 2 && samples.peekFirst().at().isBefore(now.minus(WINDOW))) {
            samples.removeFirst();
        }
        long rate = rate();
        long eta = total < 0 ? -1 : done >= total ? 0 : rate > 0 ? ceilDiv(total - done, rate) : -1;
        Snapshot next = new Snapshot(done, total, unit, rate, eta);
        boolean changed = !next.equals(last);
        last = next;
        return changed || report.isPresent() ? Optional.of(next) : Optional.empty();
    }

    /** Ends step {@code index} with its final report, if it made one since the last tick. */
    void stepEnded(int index, String name, Optional<StepContextImpl.Progress> report, Instant now) {
        if (index == step) {
            if (report.isPresent()) {
                update(index, name, report, now).ifPresent(s -> unwritten = new Final(index, s));
            }
            close();
        } else if (report.isPresent()) {
            // Ended before a tick saw it: stored, but with no start to count figures from.
            StepContextImpl.Progress p = report.get();
            unwritten = new Final(index, new Snapshot(p.done(), p.total(), p.unit(), -1, p.done() >= p.total()
                    && p.total() >= 0 ? 0 : -1));
        }
        ended = index;
    }

    /** The final report of an ended step not yet stored, once. */
    Optional<Final> takeUnwritten() {
        Final f = unwritten;
        unwritten = null;
        return Optional.ofNullable(f);
    }

    /** Ends the current step: a step that counted bytes leaves its figures. */
    void close() {
        if (last != null && "bytes".equals(last.unit()) && last.done() > 0) {
            Duration elapsed = Duration.between(stepSeen, lastGrowth);
            long millis = Math.max(1, elapsed.toMillis());
            long average = (long) (last.done() * 1000.0 / millis);
            finished.add(stepName + ": " + size(last.done()) + " in " + duration(elapsed) + ", " + size(average)
                    + "/s on average");
        }
        samples.clear();
        last = null;
        step = -1;
    }

    /** The figures of the byte-counting steps so far, "Backup: 8.0 GiB in 2 min 3 s, 66.6 MiB/s on average". */
    String figures() {
        return String.join("; ", finished);
    }

    /** Units per second from the oldest to the newest sample kept, -1 with fewer than two. */
    private long rate() {
        if (samples.size() < 2) {
            return -1;
        }
        Sample first = samples.peekFirst();
        Sample newest = samples.peekLast();
        long millis = Duration.between(first.at(), newest.at()).toMillis();
        return millis <= 0 ? -1 : (long) ((newest.done() - first.done()) * 1000.0 / millis);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return s / 60 + " min " + s % 60 + " s";
        }
        return s / 3600 + " h " + s % 3600 / 60 + " min";
    }
}
