package org.opendpm.inventory.internal.rules;

import java.util.Objects;

/**
 * One thing wrong (or suspicious) in a rule file or an import file, located by line and field
 * so the administrator can find it.
 *
 * @param line 1-based physical line of the file (the line where a CSV record starts)
 * @param field name of the field at fault, or {@code null} when the whole line (or file) is
 *     meant
 * @param severity {@link Severity#ERROR} lines are not used; {@link Severity#WARNING} lines
 *     are used as written but probably do not do what was meant
 * @param message what is wrong, in words an administrator understands
 */
public record Problem(int line, String field, Severity severity, String message) {

    /** How bad a problem is; only errors make a strict parse fail. */
    public enum Severity {
        ERROR, WARNING
    }

    public Problem {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
    }

    public static Problem error(int line, String field, String message) {
        return new Problem(line, field, Severity.ERROR, message);
    }

    public static Problem warning(int line, String field, String message) {
        return new Problem(line, field, Severity.WARNING, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** For logs and REST problem bodies: {@code line 3, field ip: <message>}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (severity == Severity.WARNING) {
            sb.append("warning: ");
        }
        sb.append("line ").append(line);
        if (field != null) {
            sb.append(", field ").append(field);
        }
        return sb.append(": ").append(message).toString();
    }
}
