package org.opendpm.inventory.internal.rules;

import java.util.List;
import java.util.stream.Collectors;

/** A rule or import file refused as a whole; carries every error so all can be fixed at once. */
public final class RuleFileException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    public RuleFileException(List<Problem> problems) {
        super(describe(problems));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String describe(List<Problem> problems) {
        return problems.size() + (problems.size() == 1 ? " problem: " : " problems: ")
                + problems.stream().map(Problem::toString).collect(Collectors.joining("; "));
    }
}
