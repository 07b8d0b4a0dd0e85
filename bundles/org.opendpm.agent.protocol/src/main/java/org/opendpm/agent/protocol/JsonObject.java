package org.opendpm.agent.protocol;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;

import org.opendpm.agent.protocol.ProtocolException.Reason;

/**
 * One parsed JSON object with the typed, strict member access the protocol asks for: unknown members are ignored,
 * a required member must be present and of its type, else a {@link ProtocolException} naming it. Parsing is bounded:
 * the payload is at most one frame, nesting at most {@value #MAX_DEPTH} deep, and at most {@value #MAX_VALUES}
 * values are kept; duplicate keys and trailing content are refused.
 */
final class JsonObject {

    static final int MAX_DEPTH = 8;
    static final int MAX_VALUES = 200_000;

    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).maxNumberLength(40)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final String context;
    private final Map<String, Object> members;

    private JsonObject(String context, Map<String, Object> members) {
        this.context = context;
        this.members = members;
    }

    /** Parses one JSON object; {@code context} names it in errors until its type is known. */
    static JsonObject parse(byte[] bytes, int offset, int length) throws ProtocolException {
        try (JsonParser p = FACTORY.createParser(bytes, offset, length)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new ProtocolException(Reason.MALFORMED_FRAME, "a control frame holds "
                        + (first == null ? "nothing" : "a JSON " + describe(first)) + ", not an object");
            }
            int[] budget = { MAX_VALUES };
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) value(p, first, budget);
            if (p.nextToken() != null) {
                throw new ProtocolException(Reason.MALFORMED_FRAME, "malformed JSON in a control frame: content "
                        + "after the object");
            }
            return new JsonObject("message", m);
        } catch (JsonProcessingException e) {
            throw new ProtocolException(Reason.MALFORMED_FRAME, "malformed JSON in a control frame: "
                    + clip(e.getOriginalMessage()));
        } catch (ProtocolException e) {
            throw e;
        } catch (IOException e) {
            throw new ProtocolException(Reason.MALFORMED_FRAME, "unreadable control frame: " + e.getMessage());
        }
    }

    private static Object value(JsonParser p, JsonToken t, int[] budget) throws IOException {
        if (--budget[0] < 0) {
            throw new ProtocolException(Reason.MALFORMED_FRAME, "a control frame holds more than " + MAX_VALUES
                    + " JSON values");
        }
        switch (t) {
        case START_OBJECT: {
            Map<String, Object> m = new LinkedHashMap<>();
            for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                String name = p.currentName();
                m.put(name, value(p, p.nextToken(), budget));
            }
            return m;
        }
        case START_ARRAY: {
            List<Object> l = new ArrayList<>();
            for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                l.add(value(p, e, budget));
            }
            return l;
        }
        case VALUE_STRING:
            return p.getText();
        case VALUE_NUMBER_INT:
            // Integers beyond 64 bits are kept as text so that reading them says what is wrong.
            return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? new BigNumber(p.getText())
                    : (Object) p.getLongValue();
        case VALUE_NUMBER_FLOAT:
            return new BigNumber(p.getText());
        case VALUE_TRUE:
            return Boolean.TRUE;
        case VALUE_FALSE:
            return Boolean.FALSE;
        case VALUE_NULL:
            return null;
        default:
            throw new ProtocolException(Reason.MALFORMED_FRAME, "unexpected JSON token " + t);
        }
    }

    /** A number that is not a 64-bit integer. */
    private record BigNumber(String text) {
    }

    /** The same members under the message's name, for errors. */
    JsonObject named(String name) {
        return new JsonObject(name, members);
    }

    String context() {
        return context;
    }

    private ProtocolException bad(String member, String what) {
        return new ProtocolException(Reason.BAD_MEMBER, member, "'" + context + "' " + what);
    }

    private Object present(String member, String kind) throws ProtocolException {
        Object v = members.get(member);
        if (v == null) {
            throw bad(member, "has no " + kind + " member '" + member + "'");
        }
        return v;
    }

    String string(String member) throws ProtocolException {
        Object v = present(member, "string");
        if (!(v instanceof String s)) {
            throw bad(member, "member '" + member + "' is not a string");
        }
        return s;
    }

    /** A string member that may be absent or null. */
    Optional<String> optionalString(String member) throws ProtocolException {
        Object v = members.get(member);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            throw bad(member, "member '" + member + "' is not a string");
        }
        return Optional.of(s);
    }

    long integer(String member) throws ProtocolException {
        Object v = present(member, "integer");
        if (!(v instanceof Long l)) {
            throw bad(member, "member '" + member + "' is not a 64-bit integer");
        }
        return l;
    }

    long optionalInteger(String member, long absent) throws ProtocolException {
        return members.get(member) == null ? absent : integer(member);
    }

    /** An integer member within {@code [min, max]}. */
    long integer(String member, long min, long max) throws ProtocolException {
        long v = integer(member);
        if (v < min || v > max) {
            throw bad(member, "member '" + member + "' " + v + " is outside " + min + ".." + max);
        }
        return v;
    }

    /** A member that is present and of its type but whose value is wrong: {@code what} says why. */
    ProtocolException invalid(String member, String what) {
        return bad(member, "member '" + member + "' " + what);
    }

    int int32(String member) throws ProtocolException {
        long v = integer(member);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw bad(member, "member '" + member + "' " + v + " is out of range");
        }
        return (int) v;
    }

    boolean bool(String member) throws ProtocolException {
        Object v = present(member, "boolean");
        if (!(v instanceof Boolean b)) {
            throw bad(member, "member '" + member + "' is not a boolean");
        }
        return b;
    }

    boolean optionalBool(String member) throws ProtocolException {
        return members.get(member) != null && bool(member);
    }

    /** An array member of at most {@code max} elements; absent or null is empty when {@code optional}. */
    List<Object> array(String member, int max, boolean optional) throws ProtocolException {
        Object v = members.get(member);
        if (v == null && optional) {
            return List.of();
        }
        v = present(member, "array");
        if (!(v instanceof List<?> l)) {
            throw bad(member, "member '" + member + "' is not an array");
        }
        if (l.size() > max) {
            throw bad(member, "member '" + member + "' has " + l.size() + " elements, more than " + max);
        }
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) l;
        return list;
    }

    /** Element {@code index} of the array {@code member} as an object. */
    JsonObject element(String member, List<Object> array, int index) throws ProtocolException {
        if (!(array.get(index) instanceof Map<?, ?> m)) {
            throw bad(member, "member '" + member + "' element " + index + " is not an object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> members = (Map<String, Object>) m;
        return new JsonObject(context + " " + member + "[" + index + "]", members);
    }

    /** Element {@code index} of the array {@code member} as a string. */
    String stringElement(String member, List<Object> array, int index) throws ProtocolException {
        if (!(array.get(index) instanceof String s)) {
            throw bad(member, "member '" + member + "' element " + index + " is not a string");
        }
        return s;
    }

    /** An object member whose values are all strings, at most {@code max} of them; absent is empty. */
    Map<String, String> stringMap(String member, int max) throws ProtocolException {
        Object v = members.get(member);
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw bad(member, "member '" + member + "' is not an object");
        }
        if (m.size() > max) {
            throw bad(member, "member '" + member + "' has " + m.size() + " members, more than " + max);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw bad(member, "member '" + member + "' value '" + e.getKey() + "' is not a string");
            }
            out.put((String) e.getKey(), s);
        }
        return out;
    }

    private static String describe(JsonToken t) {
        switch (t) {
        case START_ARRAY:
            return "array";
        case VALUE_STRING:
            return "string";
        case VALUE_NUMBER_INT:
        case VALUE_NUMBER_FLOAT:
            return "number";
        case VALUE_TRUE:
        case VALUE_FALSE:
            return "boolean";
        case VALUE_NULL:
            return "null";
        default:
            return t.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static String clip(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
