package org.opendpm.inventory.internal.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * A small RFC 4180 reader: comma-separated, fields optionally in double quotes, {@code ""} for
 * a quote inside quotes, line breaks allowed inside quotes; CRLF, LF and CR all end a record.
 *
 * <p>Written here rather than taken from a library because the import must name the physical
 * line where each record starts (records can span lines) and report malformed quoting by line
 * and column, and the format is small enough that a dependency bundle is not worth it.
 */
final class CsvRecords {

    private CsvRecords() {
    }

    /** One record and the 1-based line it starts on. */
    record CsvRecord(int line, List<String> fields) {
        boolean isBlank() {
            return fields.stream().allMatch(String::isBlank);
        }
    }

    /** Records and quoting errors; a record with a quoting error is still returned, read as best it can be. */
    record Parsed(List<CsvRecord> records, List<Problem> problems) {
    }

    static Parsed read(String content) {
        String s = RuleText.stripBom(content);
        List<CsvRecord> records = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int line = 1;
        int column = 1;
        int recordLine = 1;
        boolean quoted = false;
        boolean afterClosingQuote = false;
        int quoteLine = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        field.append('"');
                        i += 2;
                        column += 2;
                        continue;
                    }
                    quoted = false;
                    afterClosingQuote = true;
                } else {
                    field.append(c);
                    if (c == '\n' || (c == '\r' && !(i + 1 < s.length() && s.charAt(i + 1) == '\n'))) {
                        line++;
                        column = 0;
                    }
                }
                i++;
                column++;
                continue;
            }
            if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                afterClosingQuote = false;
            } else if (c == '\r' || c == '\n') {
                fields.add(field.toString());
                field.setLength(0);
                records.add(new CsvRecord(recordLine, List.copyOf(fields)));
                fields.clear();
                afterClosingQuote = false;
                if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                    i++;
                }
                line++;
                column = 0;
                recordLine = line;
            } else if (c == '"' && field.toString().isBlank() && !afterClosingQuote) {
                // Blanks before an opening quote are tolerated (and dropped), as spreadsheets write "a", "b".
                field.setLength(0);
                quoted = true;
                quoteLine = line;
            } else {
                if (afterClosingQuote && !Character.isWhitespace(c)) {
                    problems.add(Problem.error(line, null, "unexpected character '" + c + "' at column " + column
                            + " after a closing quote; a quoted field ends with '\"' followed by ',' or the line end"));
                    afterClosingQuote = false;
                } else if (c == '"') {
                    problems.add(Problem.error(line, null, "unexpected '\"' at column " + column
                            + " inside an unquoted field; put the whole field in quotes and double the quote (\"\")"));
                }
                if (!afterClosingQuote) {
                    field.append(c);
                }
            }
            i++;
            column++;
        }
        if (quoted) {
            problems.add(Problem.error(quoteLine, null, "a quoted field opened on line " + quoteLine
                    + " is never closed"));
        }
        if (quoted || !field.isEmpty() || !fields.isEmpty() || afterClosingQuote) {
            fields.add(field.toString());
            records.add(new CsvRecord(recordLine, List.copyOf(fields)));
        }
        return new Parsed(records, problems);
    }

    /** Quotes a field when it has to be: a comma, quote or line break in it, or blanks around it. */
    static String quote(String value) {
        boolean needs = !value.equals(value.strip());
        for (int i = 0; i < value.length() && !needs; i++) {
            char c = value.charAt(i);
            needs = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        return needs ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }
}
