package org.opendpm.spi;

import java.util.Map;
import java.util.Objects;

/**
 * One named step of a plan, carried out by the {@link StepExecutor} whose {@value StepExecutor#PROPERTY} equals
 * {@link #executor()}.
 *
 * @param executor key of the step executor that carries it out (a built-in one of {@link StepExecutor} or a
 *            plugin's)
 * @param name what the Scenario Execution List shows while the step runs (EXE-6)
 * @param parameters the step's parameters, for its executor; stored with the execution, so they must stay small
 * @param needsDeployOs whether the machine must run its Deploy-OS for this step
 * @param resumable whether the step may be carried out again from its start after the server stopped during it; a
 *            step that is not is ended with an error naming it
 */
public record Step(String executor, String name, Map<String, String> parameters, boolean needsDeployOs,
        boolean resumable) {

    /** Longest executor key or step name, in characters. */
    public static final int MAX_NAME = 100;

    public Step {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(name, "name");
        if (executor.isBlank() || executor.length() > MAX_NAME) {
            throw new IllegalArgumentException("Step executor key must be 1 to " + MAX_NAME + " characters");
        }
        if (name.isBlank() || name.length() > MAX_NAME) {
            throw new IllegalArgumentException("Step name must be 1 to " + MAX_NAME + " characters");
        }
        parameters = Map.copyOf(parameters);
    }

    /** A step that runs in the Deploy-OS and is not carried out again after a restart. */
    public static Step inDeployOs(String executor, String name, Map<String, String> parameters) {
        return new Step(executor, name, parameters, true, false);
    }

    /** A step that runs with the machine's installed OS (or without an OS) and is not carried out again. */
    public static Step of(String executor, String name, Map<String, String> parameters) {
        return new Step(executor, name, parameters, false, false);
    }

    /** This step, marked as safe to carry out again from its start after a restart. */
    public Step asResumable() {
        return new Step(executor, name, parameters, needsDeployOs, true);
    }
}
