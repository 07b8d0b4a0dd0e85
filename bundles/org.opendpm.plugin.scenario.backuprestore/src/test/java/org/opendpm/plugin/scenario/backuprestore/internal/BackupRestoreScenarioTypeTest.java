package org.opendpm.plugin.scenario.backuprestore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.junit.Test;
import org.opendpm.spi.PlanTarget;
import org.opendpm.spi.SettingViolation;
import org.opendpm.spi.Step;
import org.opendpm.spi.StepFailedException;
import org.opendpm.spi.testkit.ScenarioTypeChecks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The Backup/Restore tab: its settings (IMG-1, IMG-2), the image names it plans and what it shares (EXE-10). */
public class BackupRestoreScenarioTypeTest {

    private final BackupRestoreScenarioType type = new BackupRestoreScenarioType();

    private static Map<String, Object> backup(Object... more) {
        Map<String, Object> m = new HashMap<>(Map.of("operation", "backup", "imageName", "base.img"));
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        return m;
    }

    private static Map<String, Object> restore(Object... more) {
        Map<String, Object> m = backup(more);
        m.put("operation", "restore");
        return m;
    }

    @Test
    public void theSchemaDescribesEveryField() throws Exception {
        ScenarioTypeChecks.assertSchema(type);
        JsonNode schema = new ObjectMapper().readTree(type.settingsSchema());
        assertThat(schema.path("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
        assertThat(schema.path("properties").fieldNames()).toIterable().containsExactlyInAnyOrder("operation",
                "imageName", "disk", "partitions", "createVerificationData", "appendToImageName", "transfer",
                "compareAfterRestore", "maximumTargets", "maximumWaitingMinutes");
        assertThat(schema.at("/properties/transfer/enum")).hasSize(2);
        // IMG-3: the limits the guide gives (3.3.3.2), as validate() checks them.
        assertThat(schema.at("/properties/maximumTargets/minimum").asInt()).isEqualTo(1);
        assertThat(schema.at("/properties/maximumTargets/maximum").asInt()).isEqualTo(1000);
        assertThat(schema.at("/properties/maximumWaitingMinutes/minimum").asInt()).isEqualTo(1);
        assertThat(schema.at("/properties/maximumWaitingMinutes/maximum").asInt()).isEqualTo(1440);
        assertThat(schema.at("/properties/partitions/uniqueItems").asBoolean()).isTrue();
        assertThat(schema.at("/properties/disk/minimum").asInt()).isEqualTo(1);
        // The name pattern says what validate() says about separators and a leading dot.
        Pattern name = Pattern.compile(schema.at("/properties/imageName/pattern").asText());
        assertThat(name.matcher("base_01.img").matches()).isTrue();
        assertThat(name.matcher("../etc").matches()).isFalse();
        assertThat(name.matcher("a\\b").matches()).isFalse();
        assertThat(name.matcher(".hidden").matches()).isFalse();
        assertThat(type.displayName()).isEqualTo("Backup/Restore");
        assertThat(type.needsDeployOs()).isTrue();
    }

    @Test
    public void goodSettingsAreValid() {
        assertThat(type.validate(backup())).isEmpty();
        assertThat(type.validate(backup("disk", 2, "partitions", List.of(3, 1), "createVerificationData", true,
                "appendToImageName", "machine-name", "transfer", "unicast"))).isEmpty();
        assertThat(type.validate(restore("disk", 1.0, "compareAfterRestore", true, "appendToImageName", "uuid")))
                .isEmpty();
    }

    @Test
    public void badSettingsAreRefusedByField() {
        ScenarioTypeChecks.assertRejects(type, Map.of("imageName", "a"), "operation");
        ScenarioTypeChecks.assertRejects(type, backup("operation", "copy"), "operation");
        ScenarioTypeChecks.assertRejects(type, Map.of("operation", "backup"), "imageName");
        ScenarioTypeChecks.assertRejects(type, backup("imageName", "../x"), "imageName");
        ScenarioTypeChecks.assertRejects(type, backup("imageName", ".x"), "imageName");
        ScenarioTypeChecks.assertRejects(type, backup("imageName", "a\u0001b"), "imageName");
        ScenarioTypeChecks.assertRejects(type, backup("imageName", "x".repeat(201)), "imageName");
        ScenarioTypeChecks.assertRejects(type, backup("imageName", 5), "imageName");
        ScenarioTypeChecks.assertRejects(type, backup("disk", 0), "disk");
        ScenarioTypeChecks.assertRejects(type, backup("disk", 1.5), "disk");
        ScenarioTypeChecks.assertRejects(type, backup("disk", "1"), "disk");
        ScenarioTypeChecks.assertRejects(type, backup("partitions", 1), "partitions");
        ScenarioTypeChecks.assertRejects(type, backup("partitions", List.of(1, 257)), "partitions.1");
        ScenarioTypeChecks.assertRejects(type, backup("partitions", List.of(2, 2)), "partitions.1");
        ScenarioTypeChecks.assertRejects(type, backup("createVerificationData", "yes"), "createVerificationData");
        ScenarioTypeChecks.assertRejects(type, backup("appendToImageName", "ip"), "appendToImageName");
        ScenarioTypeChecks.assertRejects(type, backup("compareAfterRestore", true), "compareAfterRestore");
        ScenarioTypeChecks.assertRejects(type, backup("colour", "red"), "colour");
        ScenarioTypeChecks.assertRejects(type, restore("partitions", List.of(1)), "partitions");
        ScenarioTypeChecks.assertRejects(type, restore("createVerificationData", true), "createVerificationData");
        ScenarioTypeChecks.assertRejects(type, restore("transfer", "broadcast"), "transfer");
    }

    @Test
    public void img3MulticastSettingsAreCheckedByField() {
        assertThat(type.validate(restore("transfer", "multicast"))).isEmpty();
        assertThat(type.validate(restore("transfer", "multicast", "maximumTargets", 1, "maximumWaitingMinutes",
                1440))).isEmpty();
        assertThat(type.validate(restore("transfer", "multicast", "maximumTargets", 1000.0, "maximumWaitingMinutes",
                1))).isEmpty();
        ScenarioTypeChecks.assertRejects(type, restore("transfer", "multicast", "maximumTargets", 0),
                "maximumTargets");
        ScenarioTypeChecks.assertRejects(type, restore("transfer", "multicast", "maximumTargets", 1001),
                "maximumTargets");
        ScenarioTypeChecks.assertRejects(type, restore("transfer", "multicast", "maximumTargets", "4"),
                "maximumTargets");
        ScenarioTypeChecks.assertRejects(type, restore("transfer", "multicast", "maximumWaitingMinutes", 0),
                "maximumWaitingMinutes");
        ScenarioTypeChecks.assertRejects(type, restore("transfer", "multicast", "maximumWaitingMinutes", 1441),
                "maximumWaitingMinutes");
        ScenarioTypeChecks.assertRejects(type, restore("transfer", "multicast", "maximumWaitingMinutes", 2.5),
                "maximumWaitingMinutes");
        // The limits mean nothing to a unicast restore, and a backup is never multicast.
        ScenarioTypeChecks.assertRejects(type, restore("maximumTargets", 4), "maximumTargets");
        ScenarioTypeChecks.assertRejects(type, restore("transfer", "unicast", "maximumWaitingMinutes", 5),
                "maximumWaitingMinutes");
        List<SettingViolation> backup = type.validate(backup("transfer", "multicast"));
        assertThat(backup).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("transfer");
            assertThat(v.message()).contains("restore only");
        });
    }

    @Test
    public void img3AMulticastRestorePlansOneStepWithItsConditionNotCarriedOutAgain() {
        List<Step> plan = ScenarioTypeChecks.assertPlans(type, restore("transfer", "multicast", "maximumTargets", 4,
                "maximumWaitingMinutes", 30));
        assertThat(plan).singleElement().satisfies(s -> {
            assertThat(s.executor()).isEqualTo(RestoreStep.KEY);
            assertThat(s.needsDeployOs()).isTrue();
            assertThat(s.resumable()).isFalse();
            assertThat(s.parameters()).isEqualTo(Map.of("imageName", "base.img", "disk", "1", "compare", "false",
                    "transfer", "multicast", "maximumTargets", "4", "maximumWaitingMinutes", "30"));
        });
        Step neither = ScenarioTypeChecks.assertPlans(type, restore("transfer", "multicast")).get(0);
        assertThat(neither.parameters()).doesNotContainKeys("maximumTargets", "maximumWaitingMinutes");
    }

    @Test
    public void net4OnlyAMulticastRestoreNeedsTheDhcpServer() {
        assertThat(type.needsDhcpServer(restore("transfer", "multicast"))).get().asString()
                .contains("multicast restore");
        assertThat(type.needsDhcpServer(restore())).isEmpty();
        assertThat(type.needsDhcpServer(restore("transfer", "unicast"))).isEmpty();
        assertThat(type.needsDhcpServer(backup())).isEmpty();
        assertThat(type.needsDhcpServer(restore("transfer", "multicast", "maximumTargets", 0))).isEmpty();
    }

    @Test
    public void aBackupPlansOneResumableDeployOsStepWithItsParameters() {
        List<Step> plan = ScenarioTypeChecks.assertPlans(type, backup("disk", 2, "partitions", List.of(3, 1),
                "createVerificationData", true));
        assertThat(plan).singleElement().satisfies(s -> {
            assertThat(s.executor()).isEqualTo(BackupStep.KEY);
            assertThat(s.needsDeployOs()).isTrue();
            assertThat(s.resumable()).isTrue();
            assertThat(s.parameters()).isEqualTo(Map.of("imageName", "base.img", "disk", "2", "partitions", "3,1",
                    "verify", "true"));
        });
        List<Step> restore = ScenarioTypeChecks.assertPlans(type, restore("compareAfterRestore", true));
        assertThat(restore.get(0).executor()).isEqualTo(RestoreStep.KEY);
        assertThat(restore.get(0).parameters()).isEqualTo(Map.of("imageName", "base.img", "disk", "1", "compare",
                "true"));
    }

    @Test
    public void theImageNameGetsTheMachineNameMacOrUuidAppended() {
        assertThat(imageOf(backup("appendToImageName", "machine-name"))).isEqualTo("base.img_machine01");
        assertThat(imageOf(backup("appendToImageName", "mac"))).isEqualTo("base.img_005056aabbcc");
        assertThat(imageOf(restore("appendToImageName", "uuid")))
                .isEqualTo("base.img_4c4c4544-0042-3510-8052-b4c04f4d3232");
        assertThat(imageOf(backup("appendToImageName", "none"))).isEqualTo("base.img");
    }

    @Test
    public void aTargetWithoutTheAskedUuidOrMacCannotBePlanned() {
        PlanTarget noUuid = new PlanTarget("web01", "00:50:56:aa:bb:cc", Optional.empty(), Optional.empty());
        assertThatThrownBy(() -> type.plan(backup("appendToImageName", "uuid"), noUuid))
                .isInstanceOf(StepFailedException.class).hasMessageContaining("Machine web01 has no UUID");
        PlanTarget noMac = new PlanTarget("web02", "", Optional.empty(), Optional.empty(), Optional.of("u"));
        assertThatThrownBy(() -> type.plan(backup("appendToImageName", "mac"), noMac))
                .isInstanceOf(StepFailedException.class).hasMessageContaining("Machine web02 has no MAC address");
        PlanTarget slash = new PlanTarget("a/b", "00:50:56:aa:bb:cc", Optional.empty(), Optional.empty());
        assertThatThrownBy(() -> type.plan(backup("appendToImageName", "machine-name"), slash))
                .isInstanceOf(StepFailedException.class).hasMessageContaining("base.img_a/b")
                .hasMessageContaining("plain file name");
        assertThatThrownBy(() -> type.plan(backup("disk", -1), ScenarioTypeChecks.target()))
                .isInstanceOf(StepFailedException.class).hasMessageContaining("disk");
    }

    @Test
    public void exe10OnlyABackupWithoutAppendedNameSharesItsImage() {
        assertThat(type.sharedOutput(backup())).contains("image base.img");
        assertThat(type.sharedOutput(backup("appendToImageName", "none"))).contains("image base.img");
        assertThat(type.sharedOutput(backup("appendToImageName", "machine-name"))).isEmpty();
        assertThat(type.sharedOutput(backup("appendToImageName", "mac"))).isEmpty();
        assertThat(type.sharedOutput(backup("appendToImageName", "uuid"))).isEmpty();
        assertThat(type.sharedOutput(restore())).isEmpty();
    }

    private String imageOf(Map<String, Object> settings) {
        return type.plan(settings, ScenarioTypeChecks.target()).get(0).parameters().get("imageName");
    }
}
