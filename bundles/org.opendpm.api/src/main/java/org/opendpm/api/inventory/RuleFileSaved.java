package org.opendpm.api.inventory;

import java.util.List;

/** A rule file accepted and saved, with the lines that are accepted but suspicious. */
public record RuleFileSaved(RuleFile file, int rules, List<FileProblem> warnings) {

    public RuleFileSaved {
        warnings = List.copyOf(warnings);
    }
}
