package org.opendpm.rest.internal.dto;

import java.util.List;

import org.opendpm.api.inventory.BootDecision;

/** What network boot does with a machine it has just registered (INV-5). */
public record BootDecisionDto(String mac, String decision, String message, long powerOffAfterSeconds,
        List<String> menu) {

    public static BootDecisionDto of(String mac, BootDecision d) {
        return new BootDecisionDto(mac, d.name(), d.message(), d.powerOffAfter().toSeconds(),
                d.menuOptions().stream().map(BootDecision.MenuOption::label).toList());
    }
}
