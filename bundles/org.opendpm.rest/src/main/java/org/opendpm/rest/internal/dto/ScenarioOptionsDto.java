package org.opendpm.rest.internal.dto;

import org.opendpm.api.scenario.ScenarioOptions;

/** The Option tab (SCN-3); a field left out is false. */
public record ScenarioOptionsDto(Boolean forcedRebootBeforeExecution, Boolean powerOffAfterExecution) {

    public static ScenarioOptionsDto of(ScenarioOptions o) {
        return new ScenarioOptionsDto(o.forcedRebootBeforeExecution(), o.powerOffAfterExecution());
    }

    public ScenarioOptions toOptions() {
        return new ScenarioOptions(Boolean.TRUE.equals(forcedRebootBeforeExecution),
                Boolean.TRUE.equals(powerOffAfterExecution));
    }
}
