package org.opendpm.api.inventory;

/**
 * One thing wrong in an uploaded file, located for the administrator.
 *
 * @param line 1-based line of the file (for CSV, the line where the record starts)
 * @param field the column or field at fault; {@code null} when the whole line is meant
 * @param warning {@code true} for a line accepted as written that probably does not do what was meant
 */
public record FileProblem(int line, String field, String message, boolean warning) {

    @Override
    public String toString() {
        return (warning ? "warning: " : "") + "line " + line + (field == null ? "" : ", field " + field) + ": "
                + message;
    }
}
