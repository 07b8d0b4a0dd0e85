package org.opendpm.scheduler.internal.power;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.opendpm.spi.SettingViolation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A power driver's JSON Schema of its driver info ({@code PowerDriver.driverInfoSchema()}), read for what a flat map
 * of strings can break: unknown properties ({@code additionalProperties: false}), {@code required}, and per property
 * {@code type} (string, integer, number, boolean: the text must read as one), {@code enum}, {@code minLength},
 * {@code maxLength}, {@code pattern}, {@code minimum} and {@code maximum}. Other keywords are left to the driver's own
 * {@code validate}, which is called after these checks pass. {@code writeOnly: true} marks a secret.
 */
final class DriverInfoSchema {

    /** A schema is a plugin's constant; one far larger than any real one is refused rather than parsed. */
    static final int MAX_SCHEMA_CHARS = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Property(String type, List<String> enumValues, Integer minLength, Integer maxLength,
            Pattern pattern, BigDecimal minimum, BigDecimal maximum, boolean secret) {
    }

    private final Map<String, Property> properties;
    private final Set<String> required;
    private final boolean additionalAllowed;

    private DriverInfoSchema(Map<String, Property> properties, Set<String> required, boolean additionalAllowed) {
        this.properties = properties;
        this.required = required;
        this.additionalAllowed = additionalAllowed;
    }

    /** @throws IllegalArgumentException saying what is wrong when the text is not a schema of an object */
    static DriverInfoSchema parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the driver info schema is empty");
        }
        if (text.length() > MAX_SCHEMA_CHARS) {
            throw new IllegalArgumentException("the driver info schema is longer than " + MAX_SCHEMA_CHARS
                    + " characters");
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the driver info schema is not JSON: " + e.getOriginalMessage());
        }
        if (!root.isObject() || !"object".equals(root.path("type").asText())) {
            throw new IllegalArgumentException("the driver info schema does not describe an object");
        }
        Map<String, Property> properties = new LinkedHashMap<>();
        JsonNode props = root.path("properties");
        if (!props.isMissingNode() && !props.isObject()) {
            throw new IllegalArgumentException("the driver info schema's properties are not an object");
        }
        for (var it = props.fields(); it.hasNext();) {
            var e = it.next();
            properties.put(e.getKey(), property(e.getKey(), e.getValue()));
        }
        Set<String> required = new LinkedHashSet<>();
        for (JsonNode r : root.path("required")) {
            required.add(r.asText());
        }
        JsonNode additional = root.path("additionalProperties");
        return new DriverInfoSchema(Collections.unmodifiableMap(properties), Collections.unmodifiableSet(required),
                !(additional.isBoolean() && !additional.asBoolean()));
    }

    private static Property property(String name, JsonNode p) {
        if (!p.isObject()) {
            throw new IllegalArgumentException("driver info property '" + name + "' is not a schema");
        }
        String type = p.path("type").asText("string");
        if (!List.of("string", "integer", "number", "boolean").contains(type)) {
            throw new IllegalArgumentException("driver info property '" + name + "' has type '" + type
                    + "'; driver info values are strings, integers, numbers or booleans");
        }
        List<String> enumValues = null;
        if (p.has("enum")) {
            enumValues = new ArrayList<>();
            for (JsonNode v : p.get("enum")) {
                enumValues.add(v.asText());
            }
        }
        Pattern pattern = null;
        if (p.has("pattern")) {
            try {
                pattern = Pattern.compile(p.get("pattern").asText());
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("driver info property '" + name + "' has a bad pattern: "
                        + e.getDescription());
            }
        }
        return new Property(type, enumValues, p.has("minLength") ? p.get("minLength").asInt() : null,
                p.has("maxLength") ? p.get("maxLength").asInt() : null, pattern,
                p.has("minimum") ? p.get("minimum").decimalValue() : null,
                p.has("maximum") ? p.get("maximum").decimalValue() : null,
                p.path("writeOnly").asBoolean(false));
    }

    /** Names of the properties the schema marks {@code writeOnly}: secrets. */
    Set<String> secrets() {
        Set<String> out = new LinkedHashSet<>();
        properties.forEach((name, p) -> {
            if (p.secret()) {
                out.add(name);
            }
        });
        return out;
    }

    /**
     * Every way {@code info} breaks the schema, each naming its property; empty when it fits. Messages never quote
     * a value, which may be a secret.
     */
    List<SettingViolation> check(Map<String, String> info) {
        List<SettingViolation> out = new ArrayList<>();
        for (String name : required) {
            if (!info.containsKey(name)) {
                out.add(new SettingViolation(name, "'" + name + "' is required"));
            }
        }
        info.forEach((name, value) -> {
            Property p = properties.get(name);
            if (p == null) {
                if (!additionalAllowed) {
                    out.add(new SettingViolation(name, "unknown property '" + name + "'; known: "
                            + properties.keySet()));
                }
                return;
            }
            String problem = problem(p, value);
            if (problem != null) {
                out.add(new SettingViolation(name, "'" + name + "' " + problem));
            }
        });
        return out;
    }

    private static String problem(Property p, String value) {
        switch (p.type()) {
        case "integer":
        case "number":
            BigDecimal n;
            try {
                n = new BigDecimal(value.strip());
            } catch (NumberFormatException e) {
                return "must be a" + (p.type().equals("integer") ? "n integer" : " number");
            }
            if (p.type().equals("integer") && n.stripTrailingZeros().scale() > 0) {
                return "must be an integer";
            }
            if (p.minimum() != null && n.compareTo(p.minimum()) < 0) {
                return "must be at least " + p.minimum().toPlainString();
            }
            if (p.maximum() != null && n.compareTo(p.maximum()) > 0) {
                return "must be at most " + p.maximum().toPlainString();
            }
            break;
        case "boolean":
            if (!value.equals("true") && !value.equals("false")) {
                return "must be true or false";
            }
            break;
        default:
            break;
        }
        if (p.enumValues() != null && !p.enumValues().contains(value)) {
            return "must be one of " + p.enumValues();
        }
        int length = value.codePointCount(0, value.length());
        if (p.minLength() != null && length < p.minLength()) {
            return "must have at least " + p.minLength() + " characters";
        }
        if (p.maxLength() != null && length > p.maxLength()) {
            return "must have at most " + p.maxLength() + " characters";
        }
        if (p.pattern() != null && !p.pattern().matcher(value).find()) {
            return "does not match the pattern " + p.pattern().pattern();
        }
        return null;
    }
}
