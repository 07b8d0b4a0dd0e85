package org.opendpm.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.Test;

/** SCN-2: how dpm:scenario-type-schema prints a plugin's schema, and how it refuses a broken one. */
public class ScenarioTypeCommandsTest {

    @Test
    public void theSchemaIsIndented() {
        String pretty = ScenarioTypeCommands.pretty("fake", "{\"type\":\"object\",\"required\":[\"command\"],"
                + "\"properties\":{\"command\":{\"type\":\"string\"}}}");
        assertThat(pretty.lines().toList()).containsExactly(
                "{",
                "  \"type\" : \"object\",",
                "  \"required\" : [ \"command\" ],",
                "  \"properties\" : {",
                "    \"command\" : {",
                "      \"type\" : \"string\"",
                "    }",
                "  }",
                "}");
    }

    @Test
    public void aBrokenSchemaIsRefusedNamingTheTypeAndTheReason() {
        assertThatThrownBy(() -> ScenarioTypeCommands.pretty("broken", "{\"type\":")).hasMessageStartingWith(
                "The settings schema of scenario type broken is not valid JSON");
        assertThatThrownBy(() -> ScenarioTypeCommands.pretty("broken", "{} []")).hasMessageContaining(
                "not valid JSON");
        assertThatThrownBy(() -> ScenarioTypeCommands.pretty("broken", "{\"a\":1,\"a\":2}")).hasMessageContaining(
                "Duplicate field 'a'");
        assertThatThrownBy(() -> ScenarioTypeCommands.pretty("list", "[]")).hasMessage(
                "The settings schema of scenario type list is not a JSON object");
        assertThatThrownBy(() -> ScenarioTypeCommands.pretty("empty", " ")).hasMessage(
                "Scenario type empty has an empty settings schema");
        assertThatThrownBy(() -> ScenarioTypeCommands.pretty("big", "{\"d\":\"" + "x".repeat(
                ScenarioTypeCommands.MAX_SCHEMA_CHARS) + "\"}")).hasMessageContaining("the limit is 262144");
        String deep = "[".repeat(ScenarioTypeCommands.MAX_SCHEMA_DEPTH + 1) + "]".repeat(
                ScenarioTypeCommands.MAX_SCHEMA_DEPTH + 1);
        assertThatThrownBy(() -> ScenarioTypeCommands.pretty("deep", "{\"a\":" + deep + "}")).hasMessageContaining(
                "depth");
    }
}
