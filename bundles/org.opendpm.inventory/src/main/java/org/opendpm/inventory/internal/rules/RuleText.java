package org.opendpm.inventory.internal.rules;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Text handling shared by the rule files ({@code forceskip.ini}, {@code GroupAsName.ini},
 * {@code GroupAsIp.ini}).
 *
 * <p>The guide says nothing about encoding or comments. We read UTF-8 (a leading byte order
 * mark, as Windows editors write, is dropped), accept CRLF, LF and CR line ends, ignore blank
 * lines, and treat a line whose first non-blank character is {@code ;} or {@code #} as a
 * comment (the usual INI convention; no valid rule line can start with either, as every format
 * starts with a non-empty field). Comments after a rule on the same line are not supported,
 * because {@code #} may appear in group and machine names.
 */
public final class RuleText {

    private static final char BOM = '\uFEFF';

    private RuleText() {
    }

    /** A non-blank, non-comment line with its 1-based line number and surrounding blanks removed. */
    public record Line(int number, String text) {
    }

    /** Decodes file bytes as strict UTF-8, so a file saved in a legacy code page is reported, not garbled. */
    public static String decodeUtf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            return decoder.decode(in).toString();
        } catch (MalformedInputException e) {
            throw new IllegalArgumentException("the file is not valid UTF-8 (bad byte at offset "
                    + in.position() + "); save it as UTF-8", e);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the file is not valid UTF-8; save it as UTF-8", e);
        }
    }

    /** Drops a leading byte order mark, which editors add and which would otherwise stick to the first field. */
    public static String stripBom(String content) {
        return !content.isEmpty() && content.charAt(0) == BOM ? content.substring(1) : content;
    }

    /** Physical lines, 1-based, whatever the line ends; the BOM is dropped. */
    public static List<String> physicalLines(String content) {
        String text = stripBom(content);
        List<String> lines = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\r' || c == '\n') {
                lines.add(text.substring(start, i));
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
            i++;
        }
        if (start < text.length()) {
            lines.add(text.substring(start));
        }
        return lines;
    }

    /** The lines that carry rules: blank lines and comment lines are left out, numbering kept. */
    public static List<Line> ruleLines(String content) {
        List<String> physical = physicalLines(content);
        List<Line> result = new ArrayList<>();
        for (int i = 0; i < physical.size(); i++) {
            String text = physical.get(i).strip();
            if (text.isEmpty() || text.charAt(0) == ';' || text.charAt(0) == '#') {
                continue;
            }
            result.add(new Line(i + 1, text));
        }
        return result;
    }

    /** Splits on {@code ;} keeping empty fields (so a trailing {@code ;} counts), each field stripped. */
    public static List<String> fields(String line) {
        List<String> fields = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= line.length(); i++) {
            if (i == line.length() || line.charAt(i) == ';') {
                fields.add(line.substring(start, i).strip());
                start = i + 1;
            }
        }
        return fields;
    }

    /** Whether a value holds a control character, which no name or rule may contain. */
    static int indexOfControl(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
