package org.opendpm.rest.internal.dto;

import java.util.List;

import org.opendpm.api.inventory.RuleFileSaved;

/** A rule file saved: how many rules it holds, and the lines accepted but probably not doing what was meant. */
public record RuleFileSavedDto(String file, int rules, List<Problem.LineError> warnings) {

    public static RuleFileSavedDto of(RuleFileSaved s) {
        return new RuleFileSavedDto(s.file().fileName(), s.rules(), s.warnings().stream()
                .map(w -> new Problem.LineError(w.line(), w.field(), w.message())).toList());
    }
}
