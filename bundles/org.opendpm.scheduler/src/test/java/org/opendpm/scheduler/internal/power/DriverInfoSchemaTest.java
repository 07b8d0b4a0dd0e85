package org.opendpm.scheduler.internal.power;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.Test;
import org.opendpm.spi.SettingViolation;

/** What a power driver's schema of its driver info refuses, and which of its properties are secrets. */
public class DriverInfoSchemaTest {

    private static final DriverInfoSchema SCHEMA = DriverInfoSchema.parse("{\"type\":\"object\","
            + "\"properties\":{\"tls\":{\"type\":\"boolean\"},\"ratio\":{\"type\":\"number\",\"minimum\":0.5},"
            + "\"mode\":{\"enum\":[\"lan\",\"lanplus\"]},\"key\":{\"type\":\"string\",\"writeOnly\":true},"
            + "\"retries\":{\"type\":\"integer\",\"minimum\":0}}}");

    @Test
    public void typesEnumsAndBoundsAreChecked() {
        assertThat(SCHEMA.check(Map.of("tls", "true", "ratio", "0.75", "mode", "lanplus", "retries", "3.0")))
                .isEmpty();
        assertThat(SCHEMA.check(Map.of("tls", "yes"))).containsExactly(new SettingViolation("tls",
                "'tls' must be true or false"));
        assertThat(SCHEMA.check(Map.of("ratio", "0.25"))).containsExactly(new SettingViolation("ratio",
                "'ratio' must be at least 0.5"));
        assertThat(SCHEMA.check(Map.of("ratio", "half"))).containsExactly(new SettingViolation("ratio",
                "'ratio' must be a number"));
        assertThat(SCHEMA.check(Map.of("retries", "1.5"))).containsExactly(new SettingViolation("retries",
                "'retries' must be an integer"));
        assertThat(SCHEMA.check(Map.of("mode", "serial"))).containsExactly(new SettingViolation("mode",
                "'mode' must be one of [lan, lanplus]"));
    }

    @Test
    public void withoutAdditionalPropertiesFalseOthersAreAllowed() {
        assertThat(SCHEMA.check(Map.of("vendorExtra", "x"))).isEmpty();
        assertThat(DriverInfoSchema.parse("{\"type\":\"object\",\"additionalProperties\":false}")
                .check(Map.of("vendorExtra", "x"))).extracting(SettingViolation::field).containsExactly("vendorExtra");
    }

    @Test
    public void writeOnlyPropertiesAreTheSecrets() {
        assertThat(SCHEMA.secrets()).containsExactly("key");
        assertThat(DriverInfoSchema.parse("{\"type\":\"object\"}").secrets()).isEmpty();
    }

    @Test
    public void aSchemaThatIsNotOneIsRefusedSayingWhy() {
        assertThatThrownBy(() -> DriverInfoSchema.parse("")).hasMessage("the driver info schema is empty");
        assertThatThrownBy(() -> DriverInfoSchema.parse("{")).hasMessageStartingWith("the driver info schema is not"
                + " JSON");
        assertThatThrownBy(() -> DriverInfoSchema.parse("{\"type\":\"array\"}"))
                .hasMessage("the driver info schema does not describe an object");
        assertThatThrownBy(() -> DriverInfoSchema.parse("{\"type\":\"object\",\"properties\":[]}"))
                .hasMessage("the driver info schema's properties are not an object");
        assertThatThrownBy(() -> DriverInfoSchema.parse("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":"
                + "\"array\"}}}")).hasMessageContaining("'a' has type 'array'");
        assertThatThrownBy(() -> DriverInfoSchema.parse("{\"type\":\"object\",\"properties\":{\"a\":{\"pattern\":"
                + "\"(\"}}}")).hasMessageStartingWith("driver info property 'a' has a bad pattern");
        assertThatThrownBy(() -> DriverInfoSchema.parse("{\"type\":\"object\",\"description\":\""
                + "x".repeat(DriverInfoSchema.MAX_SCHEMA_CHARS) + "\"}")).hasMessageContaining("longer than");
    }
}
