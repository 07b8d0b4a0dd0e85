package org.opendpm.scheduler.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.Test;

/** IMG-5: an execution's warnings are kept in its result, after its message and figures. */
public class StepReportsTest {

    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    @Test
    public void warningsFollowTheMessage() {
        Run run = new Run(1, null, "Restore", List.of(), NOW.plusSeconds(60), 1);
        assertThat(StepReports.withFigures(run, "", NOW)).isEmpty();
        run.warnings.add("Image a.img was taken with Deploy-OS x; machine m uses Deploy-OS y (IMG-5)");
        assertThat(StepReports.withFigures(run, "", NOW))
                .isEqualTo("warning: Image a.img was taken with Deploy-OS x; machine m uses Deploy-OS y (IMG-5)");
        run.warnings.add("second");
        assertThat(StepReports.withFigures(run, "Step 2 of 3 failed", NOW)).isEqualTo("Step 2 of 3 failed; warning: "
                + "Image a.img was taken with Deploy-OS x; machine m uses Deploy-OS y (IMG-5); warning: second");
    }
}
