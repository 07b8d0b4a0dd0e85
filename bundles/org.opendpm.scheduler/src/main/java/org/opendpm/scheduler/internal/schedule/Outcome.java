package org.opendpm.scheduler.internal.schedule;

import java.util.ArrayList;
import java.util.List;

/** What one firing did, counted, with the first few reasons for failures, as one line for an administrator. */
final class Outcome {

    /** The column's size; longer outcomes are cut with an ellipsis. */
    static final int MAX_LENGTH = 1000;
    /** Reasons quoted in full; the rest are counted. */
    static final int REASONS = 5;

    private final String doneOne;
    private final String doneMany;
    private final String failed;
    private int ok;
    private int failures;
    private final List<String> reasons = new ArrayList<>();
    private String note;

    /**
     * @param doneOne how one success is counted ("execution started", "machine powered on")
     * @param doneMany how several are ("executions started")
     * @param failed how failures are counted ("refused", "failed")
     */
    Outcome(String doneOne, String doneMany, String failed) {
        this.doneOne = doneOne;
        this.doneMany = doneMany;
        this.failed = failed;
    }

    void ok(int n) {
        ok += n;
    }

    void failed(String who, String why) {
        failures++;
        if (reasons.size() < REASONS) {
            reasons.add(who + ": " + why);
        }
    }

    /** A failure of many machines at once, for one reason. */
    void failedAll(int n, String why) {
        failures += n;
        if (reasons.size() < REASONS) {
            reasons.add(n + (n == 1 ? " machine: " : " machines: ") + why);
        }
    }

    /** Something to add after the counts (the firing stopped early, machines left the inventory). */
    void note(String text) {
        note = text;
    }

    int ok() {
        return ok;
    }

    int failures() {
        return failures;
    }

    String text() {
        StringBuilder sb = new StringBuilder().append(ok).append(' ').append(ok == 1 ? doneOne : doneMany);
        if (failures > 0) {
            sb.append(", ").append(failures).append(' ').append(failed).append(": ")
                    .append(String.join("; ", reasons));
            if (failures > reasons.size()) {
                sb.append("; and ").append(failures - reasons.size()).append(" more");
            }
        }
        if (note != null) {
            sb.append("; ").append(note);
        }
        return cut(sb.toString());
    }

    static String cut(String text) {
        if (text == null || text.length() <= MAX_LENGTH) {
            return text;
        }
        return text.substring(0, MAX_LENGTH - 1) + "\u2026";
    }
}
