package org.opendpm.transfer.internal;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Typed access to a control message's members; a missing or wrongly typed required member is a violation. */
final class Messages {

    private Messages() {
    }

    static String type(ObjectNode m) throws ProtocolException {
        JsonNode t = m.get("type");
        if (t == null || !t.isTextual()) {
            throw bad("message has no string member 'type'");
        }
        return t.textValue();
    }

    static String string(ObjectNode m, String member) throws ProtocolException {
        JsonNode v = m.get(member);
        if (v == null || !v.isTextual()) {
            throw bad("'" + type(m) + "' has no string member '" + member + "'");
        }
        return v.textValue();
    }

    /** A string member that may be absent or null. */
    static Optional<String> optionalString(ObjectNode m, String member) throws ProtocolException {
        JsonNode v = m.get(member);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw bad("'" + type(m) + "' member '" + member + "' is not a string");
        }
        return Optional.of(v.textValue());
    }

    static long integer(ObjectNode m, String member) throws ProtocolException {
        JsonNode v = m.get(member);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw bad("'" + type(m) + "' has no integer member '" + member + "'");
        }
        return v.longValue();
    }

    static boolean optionalBoolean(ObjectNode m, String member) throws ProtocolException {
        JsonNode v = m.get(member);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw bad("'" + type(m) + "' member '" + member + "' is not a boolean");
        }
        return v.booleanValue();
    }

    private static ProtocolException bad(String message) {
        return new ProtocolException(LinkStats.Kind.BAD_MEMBER, message);
    }
}
