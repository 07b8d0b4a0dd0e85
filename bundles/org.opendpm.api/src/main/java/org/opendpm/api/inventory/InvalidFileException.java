package org.opendpm.api.inventory;

import java.util.List;
import java.util.stream.Collectors;

import org.opendpm.api.ValidationException;

/** An uploaded file (CSV import, rule file) refused as a whole; lists every error so all can be fixed at once. */
public class InvalidFileException extends ValidationException {
    private static final long serialVersionUID = 1L;

    private final transient List<FileProblem> problems;

    public InvalidFileException(String what, List<FileProblem> problems) {
        super(null, what + " was refused, nothing was changed: " + problems.size()
                + (problems.size() == 1 ? " problem: " : " problems: ")
                + problems.stream().limit(5).map(FileProblem::toString).collect(Collectors.joining("; "))
                + (problems.size() > 5 ? "; ..." : ""));
        this.problems = List.copyOf(problems);
    }

    public List<FileProblem> problems() {
        return problems;
    }
}
