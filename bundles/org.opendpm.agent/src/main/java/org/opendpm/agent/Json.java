package org.opendpm.agent;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The control-frame JSON: one shared mapper and the member checks the protocol asks for. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static ObjectNode object(String type) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("type", type);
        return n;
    }

    static ObjectNode parse(byte[] payload) throws ProtocolException {
        JsonNode n;
        try {
            n = MAPPER.readTree(payload);
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException ? ((JsonProcessingException) e).getOriginalMessage()
                    : e.getMessage();
            throw new ProtocolException("control frame is not JSON: " + why);
        }
        if (n == null || !n.isObject()) {
            throw new ProtocolException("control frame is not a JSON object");
        }
        if (!n.path("type").isTextual()) {
            throw new ProtocolException("control frame has no string member 'type'");
        }
        return (ObjectNode) n;
    }

    static byte[] bytes(ObjectNode n) {
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("JSON tree not writable", e);
        }
    }

    /** A required string member. */
    static String text(JsonNode n, String member) throws BadRequestException {
        JsonNode v = n.get(member);
        if (v == null || !v.isTextual()) {
            throw new BadRequestException("member '" + member + "' missing or not a string");
        }
        return v.asText();
    }

    /** A required integral number member. */
    static long number(JsonNode n, String member) throws BadRequestException {
        JsonNode v = n.get(member);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new BadRequestException("member '" + member + "' missing or not an integer");
        }
        return v.asLong();
    }

    /** A request the agent understands but whose members are wrong; answered with an error, the link stays. */
    static final class BadRequestException extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequestException(String message) {
            super(message);
        }
    }
}
