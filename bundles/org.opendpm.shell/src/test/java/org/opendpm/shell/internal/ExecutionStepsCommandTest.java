package org.opendpm.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.Test;
import org.opendpm.api.execution.Execution;
import org.opendpm.api.execution.ExecutionState;
import org.opendpm.api.execution.ExecutionStep;

/** EXE-6, EXE-7: what dpm:execution-steps prints for a step and a log line. */
public class ExecutionStepsCommandTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00.123Z");

    private static ExecutionStep step(int number, ExecutionStep.State state, ExecutionStep.Progress progress,
            int attempts) {
        return new ExecutionStep(number, "transfer", "Transfer", state, Optional.ofNullable(progress),
                Optional.of(T0), state == ExecutionStep.State.RUNNING
                        ? Optional.empty()
                        : Optional.of(T0
                                .plusSeconds(90)),
                attempts, state == ExecutionStep.State.FAILED ? "agent lost" : "");
    }

    /** IMG-6: dpm:execution-list shows each machine's bytes, per cent, rate and time left while the step runs. */
    @Test
    public void theExecutionListShowsBytesPercentRateAndEta() {
        ExecutionStep.Progress p = new ExecutionStep.Progress(3L << 30, 8L << 30, "bytes", 100L << 20, 3725);
        Execution running = new Execution(4, 7, "pc-7", 3, "Backup", ExecutionState.RUNNING, 2, 4, "Backup",
                Optional.of(37), "alice", T0, Optional.of(T0), Optional.empty(), "", Optional.of(p));
        assertThat(ExecutionCommands.step(running)).isEqualTo("2/4 Backup 3.0 GiB of 8.0 GiB (37%) 100.0 MiB/s"
                + " ETA 1:02:05");
        ExecutionStep.Progress starting = new ExecutionStep.Progress(0, 8L << 30, "bytes");
        assertThat(ExecutionCommands.step(new Execution(4, 7, "pc-7", 3, "Backup", ExecutionState.RUNNING, 2, 4,
                "Backup", Optional.of(0), "alice", T0, Optional.of(T0), Optional.empty(), "", Optional.of(starting))))
                .isEqualTo("2/4 Backup 0 B of 8.0 GiB (0%)");
        Execution done = new Execution(4, 7, "pc-7", 3, "Backup", ExecutionState.COMPLETED, 4, 4, "Local boot",
                Optional.empty(), "alice", T0, Optional.of(T0), Optional.of(T0), "Backup: 8.0 GiB in 1 min 22 s,"
                        + " 100.0 MiB/s on average",
                Optional.of(p));
        assertThat(ExecutionCommands.step(done)).isEqualTo("4/4 Local boot");
        var out = new ByteArrayOutputStream();
        ExecutionCommands.executionTable(List.of(running, done)).print(new PrintStream(out, true,
                StandardCharsets.UTF_8), true);
        String table = out.toString(StandardCharsets.UTF_8);
        assertThat(table).contains("100.0 MiB/s ETA 1:02:05", "Backup: 8.0 GiB in 1 min 22 s, 100.0 MiB/s on"
                + " average");
    }

    @Test
    public void progressInItsUnitWithPercentRoundedDown() {
        assertThat(ExecutionCommands.progress(step(1, ExecutionStep.State.RUNNING, new ExecutionStep.Progress(
                3L << 30, 8L << 30, "bytes"), 1))).isEqualTo("3.0 GiB of 8.0 GiB (37%)");
        assertThat(ExecutionCommands.progress(step(1, ExecutionStep.State.RUNNING, new ExecutionStep.Progress(
                39, 40, "files"), 1))).isEqualTo("39 of 40 files (97%)");
        assertThat(ExecutionCommands.progress(step(1, ExecutionStep.State.RUNNING, new ExecutionStep.Progress(
                5, -1, "files"), 1))).isEqualTo("5 files");
        assertThat(ExecutionCommands.progress(step(1, ExecutionStep.State.RUNNING, new ExecutionStep.Progress(
                2048, -1, "bytes"), 1))).isEqualTo("2.0 KiB");
        assertThat(ExecutionCommands.progress(step(1, ExecutionStep.State.RUNNING, new ExecutionStep.Progress(
                0, 0, "files"), 1))).isEqualTo("0 of 0 files");
        assertThat(ExecutionCommands.progress(step(1, ExecutionStep.State.PENDING, null, 0))).isEmpty();
    }

    @Test
    public void theTableShowsStateProgressAttemptsAndTimes() {
        var out = new ByteArrayOutputStream();
        ExecutionCommands.stepTable(List.of(step(1, ExecutionStep.State.DONE, null, 1), step(2,
                ExecutionStep.State.RUNNING, new ExecutionStep.Progress(1, 4, "files"), 2),
                step(3,
                        ExecutionStep.State.FAILED, null, 1)))
                .print(new PrintStream(out, true,
                        StandardCharsets.UTF_8), true);
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.get(0)).contains("Step", "Name", "Executor", "State", "Progress", "Started", "Ended",
                "Message");
        assertThat(lines).hasSize(5);
        assertThat(lines.get(2)).contains("Transfer", "DONE", "2026-03-01T10:00:00Z", "2026-03-01T10:01:30Z");
        assertThat(lines.get(3)).contains("Transfer (attempt 2)", "RUNNING", "1 of 4 files (25%)")
                .doesNotContain("10:01:30");
        assertThat(lines.get(4)).contains("FAILED", "agent lost");
    }

    @Test
    public void aLogLineSaysWhenAndWhichStep() {
        assertThat(ExecutionCommands.logLine(new ExecutionStep.LogLine(2, T0, "exit code 0")))
                .isEqualTo("2026-03-01T10:00:00Z [2] exit code 0");
    }
}
