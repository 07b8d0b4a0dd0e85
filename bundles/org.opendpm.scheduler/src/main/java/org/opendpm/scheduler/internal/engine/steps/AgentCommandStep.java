package org.opendpm.scheduler.internal.engine.steps;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepContext;
import org.opendpm.spi.StepExecutor;
import org.opendpm.spi.StepFailedException;
import org.osgi.service.component.annotations.Component;

/**
 * The built-in step {@value StepExecutor#AGENT_COMMAND}: run the parameter {@code command} through the agent, until
 * the execution's time-out; the exit code {@code expectedExitCode} (default 0) is success.
 */
@Component(property = StepExecutor.PROPERTY + "=" + StepExecutor.AGENT_COMMAND)
public class AgentCommandStep implements StepExecutor {

    @Override
    public List<SettingViolation> validate(Step step) {
        List<SettingViolation> out = new ArrayList<>();
        String command = step.parameters().get("command");
        if (command == null || command.isBlank()) {
            out.add(new SettingViolation("command", "the plan gives no command"));
        }
        try {
            Integer.parseInt(step.parameters().getOrDefault("expectedExitCode", "0"));
        } catch (NumberFormatException e) {
            out.add(new SettingViolation("expectedExitCode", "not a whole number"));
        }
        return out;
    }

    @Override
    public CompletionStage<Void> execute(StepContext context) {
        String command = context.step().parameters().get("command");
        int expected = Integer.parseInt(context.step().parameters().getOrDefault("expectedExitCode", "0"));
        Duration left = Duration.between(Instant.now(), context.deadline());
        return context.agent().run(command, left.isNegative() ? Duration.ZERO : left).thenAccept(r -> {
            context.log("exit code " + r.exitCode());
            if (r.exitCode() != expected) {
                throw new StepFailedException("command exited with code " + r.exitCode() + " (expected " + expected
                        + ")" + lastLine(r.output()));
            }
        });
    }

    private static String lastLine(String output) {
        String trimmed = output.strip();
        if (trimmed.isEmpty()) {
            return "";
        }
        String last = trimmed.substring(trimmed.lastIndexOf('\n') + 1);
        return ": " + (last.length() > 300 ? last.substring(0, 300) : last);
    }
}
