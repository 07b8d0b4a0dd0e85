package org.opendpm.inventory.internal.rules;

import java.util.List;
import java.util.Objects;

/**
 * What a lenient parse produced: the usable value (built from the good lines only) and every
 * problem found. A file read from disk is used leniently and its problems logged; a file
 * edited through the API is checked with {@link #orThrow()} so a bad edit is refused whole.
 */
public record ParseResult<T>(T value, List<Problem> problems) {

    public ParseResult {
        Objects.requireNonNull(value, "value");
        problems = List.copyOf(problems);
    }

    public boolean hasErrors() {
        return problems.stream().anyMatch(Problem::isError);
    }

    public List<Problem> errors() {
        return problems.stream().filter(Problem::isError).toList();
    }

    public List<Problem> warnings() {
        return problems.stream().filter(p -> !p.isError()).toList();
    }

    /** Strict mode: the value only when no line had an error; warnings do not fail. */
    public T orThrow() {
        if (hasErrors()) {
            throw new RuleFileException(errors());
        }
        return value;
    }
}
