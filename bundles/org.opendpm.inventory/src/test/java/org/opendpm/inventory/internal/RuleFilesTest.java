package org.opendpm.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import org.junit.Test;
import org.opendpm.api.inventory.BootDecision;
import org.opendpm.api.inventory.InvalidFileException;
import org.opendpm.api.inventory.RuleFile;
import org.opendpm.api.inventory.RuleFileSaved;

/** INV-5, INV-7, INV-8: rule files on disk, re-read on change, saved only when valid. */
public class RuleFilesTest {

    private final InventoryFixture fx = new InventoryFixture(Limits.GUIDE);
    private final JdbcInventoryService inv = fx.service;

    @Test
    public void withoutForceskipEveryMachineBootsLocally() {
        assertThat(inv.bootDecision("00-15-5D-01-02-03")).isEqualTo(BootDecision.LOCAL_BOOT);
        assertThat(inv.ruleFile(RuleFile.FORCESKIP)).isEmpty();
    }

    @Test
    public void anEditedFileIsReReadAndABadLineIsSkipped() throws Exception {
        Path file = fx.ruleDir.resolve("forceskip.ini");
        Files.writeString(file, "00-50-56-*\r\n00-0C-29-*\r\n");
        assertThat(inv.bootDecision("00:0c:29:01:02:03")).isEqualTo(BootDecision.LOCAL_BOOT);
        assertThat(inv.bootDecision("00-15-5D-01-02-03")).isEqualTo(BootDecision.REGISTRATION_MENU);
        // Same length, so only the modification time tells the edit apart.
        Files.writeString(file, "00-15-5D-*\r\nnot a mac!\r\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(inv.bootDecision("00-15-5D-01-02-03")).isEqualTo(BootDecision.LOCAL_BOOT);
        assertThat(inv.bootDecision("00:0c:29:01:02:03")).isEqualTo(BootDecision.REGISTRATION_MENU);
        Files.delete(file);
        assertThat(inv.bootDecision("00:0c:29:01:02:03")).isEqualTo(BootDecision.LOCAL_BOOT);
    }

    @Test
    public void aBadSaveIsRefusedWithEveryLineAndTheOldFileStays() throws Exception {
        RuleFileSaved saved = inv.saveRuleFile(RuleFile.GROUP_AS_IP, "/Group2;192.168.0.0;255.255.0.0\n"
                + "/Group2/Sub;192.168.1.0;255.255.255.0\n");
        assertThat(saved.rules()).isEqualTo(2);
        assertThat(saved.warnings()).singleElement().satisfies(w -> assertThat(w.line()).isEqualTo(2));
        String before = inv.ruleFile(RuleFile.GROUP_AS_IP).orElseThrow();
        assertThatThrownBy(() -> inv.saveRuleFile(RuleFile.GROUP_AS_IP, "/ok;10.0.0.1\n/bad;10.0.0.300\n"
                + "/worse;10.1.0.10;255.255.0.0\n")).isInstanceOfSatisfying(InvalidFileException.class, e -> {
                    assertThat(e.problems()).extracting(p -> p.line()).containsExactly(2, 3);
                    assertThat(e.problems()).extracting(p -> p.field()).containsExactly("IP", "IP");
                });
        assertThat(inv.ruleFile(RuleFile.GROUP_AS_IP)).contains(before);
        assertThat(Files.list(fx.ruleDir)).extracting(p -> p.getFileName().toString())
                .containsExactly("GroupAsIp.ini");
    }

    @Test
    public void savedForceskipTakesEffectAtOnce() {
        inv.saveRuleFile(RuleFile.FORCESKIP, "00-50-56-*\n");
        assertThat(inv.bootDecision("00-50-56-01-02-03")).isEqualTo(BootDecision.LOCAL_BOOT);
        assertThat(inv.bootDecision("00-0C-29-01-02-03")).isEqualTo(BootDecision.REGISTRATION_MENU);
        assertThatThrownBy(() -> inv.saveRuleFile(RuleFile.FORCESKIP, "00-50-56-*\nzz\n"))
                .isInstanceOfSatisfying(InvalidFileException.class,
                        e -> assertThat(e.problems()).extracting(p -> p.line()).containsExactly(2));
    }
}
