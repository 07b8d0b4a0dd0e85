package org.opendpm.plugin.scenario.fake.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.ScenarioType;
import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepExecutor;
import org.osgi.service.component.annotations.Component;

/**
 * A scenario tab {@code fake} that runs one command through the agent and expects an exit code, so scenarios can be
 * created, validated, assigned and planned in tests without a real scenario type. Settings:
 * {@code { "command": string, required, at most 1024 characters; "expectedExitCode": whole number 0..255, default 0;
 * "repeat": whole number 1..MAX_REPEAT, default 1 }}. With {@code repeat} N the command is planned as N steps in turn,
 * so tests and benchmarks get a scenario of several steps without a Deploy-OS.
 */
@Component(property = ScenarioType.PROPERTY + "=" + FakeScenarioType.KEY)
public class FakeScenarioType implements ScenarioType {

    static final String KEY = "fake";
    static final String COMMAND = "command";
    static final String EXPECTED_EXIT_CODE = "expectedExitCode";
    static final String REPEAT = "repeat";
    static final int MAX_COMMAND_LENGTH = 1024;
    /** Far below the engine's step limit per execution, which other tabs and core steps share. */
    static final int MAX_REPEAT = 20;

    private static final Set<String> FIELDS = Set.of(COMMAND, EXPECTED_EXIT_CODE, REPEAT);

    @Override
    public String displayName() {
        return "Fake command";
    }

    @Override
    public int settingsVersion() {
        return 1;
    }

    @Override
    public String settingsSchema() {
        return SCHEMA;
    }

    static final String SCHEMA = "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
            + "\"additionalProperties\":false,\"required\":[\"command\"],\"properties\":{"
            + "\"command\":{\"type\":\"string\",\"title\":\"Command\",\"minLength\":1,\"maxLength\":"
            + MAX_COMMAND_LENGTH
            + "},\"expectedExitCode\":{\"type\":\"integer\",\"title\":\"Expected exit code\",\"minimum\":0,"
            + "\"maximum\":255,\"default\":0},\"repeat\":{\"type\":\"integer\",\"title\":\"Steps\","
            + "\"description\":\"The command runs this many times, each time as a step of its own\",\"minimum\":1,"
            + "\"maximum\":" + MAX_REPEAT + ",\"default\":1}}}";

    @Override
    public boolean needsDeployOs() {
        return false;
    }

    @Override
    public List<SettingViolation> validate(Map<String, Object> settings) {
        List<SettingViolation> violations = new ArrayList<>();
        Object command = settings.get(COMMAND);
        if (command == null) {
            violations.add(new SettingViolation(COMMAND, "a command is required"));
        } else if (!(command instanceof String s)) {
            violations.add(new SettingViolation(COMMAND, "must be a string"));
        } else if (s.isBlank()) {
            violations.add(new SettingViolation(COMMAND, "must not be blank"));
        } else if (s.length() > MAX_COMMAND_LENGTH) {
            violations.add(new SettingViolation(COMMAND, "is " + s.length() + " characters long; the limit is "
                    + MAX_COMMAND_LENGTH));
        }
        Object code = settings.get(EXPECTED_EXIT_CODE);
        if (code != null && exitCode(code) < 0) {
            violations.add(new SettingViolation(EXPECTED_EXIT_CODE, "must be a whole number from 0 to 255, not "
                    + code));
        }
        Object repeat = settings.get(REPEAT);
        if (repeat != null && repeat(repeat) < 0) {
            violations.add(new SettingViolation(REPEAT, "must be a whole number from 1 to " + MAX_REPEAT + ", not "
                    + repeat));
        }
        settings.keySet().stream().filter(k -> !FIELDS.contains(k)).sorted().forEach(k -> violations
                .add(new SettingViolation(k, "unknown setting; known: " + COMMAND + ", " + EXPECTED_EXIT_CODE + ", "
                        + REPEAT)));
        return violations;
    }

    /** The exit code, or -1 when the value is not a whole number from 0 to 255. */
    private static int exitCode(Object value) {
        return wholeNumber(value, 0, 255);
    }

    /** The step count, or -1 when the value is not a whole number from 1 to {@link #MAX_REPEAT}. */
    private static int repeat(Object value) {
        return wholeNumber(value, 1, MAX_REPEAT);
    }

    private static int wholeNumber(Object value, int min, int max) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            long n = ((Number) value).longValue();
            return n >= min && n <= max ? (int) n : -1;
        }
        return -1;
    }

    @Override
    public List<Step> plan(Map<String, Object> settings, PlanTarget target) {
        Object code = settings.get(EXPECTED_EXIT_CODE);
        Map<String, String> parameters = Map.of(COMMAND, (String) settings.get(COMMAND), EXPECTED_EXIT_CODE,
                String.valueOf(code == null ? 0 : exitCode(code)));
        Object repeat = settings.get(REPEAT);
        int n = repeat == null ? 1 : repeat(repeat);
        if (n == 1) {
            return List.of(Step.of(StepExecutor.AGENT_COMMAND, "Agent command", parameters));
        }
        List<Step> steps = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            steps.add(Step.of(StepExecutor.AGENT_COMMAND, "Agent command " + i + " of " + n, parameters));
        }
        return steps;
    }
}
