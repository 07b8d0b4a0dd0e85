package org.opendpm.inventory.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.Test;

/** Line handling shared by forceskip.ini, GroupAsName.ini and GroupAsIp.ini (INV-5, INV-7, INV-8). */
public class RuleTextTest {

    @Test
    public void splitsAnyLineEndKeepingNumbers() {
        assertThat(RuleText.physicalLines("a\r\nb\nc\rd")).containsExactly("a", "b", "c", "d");
        assertThat(RuleText.physicalLines("a\n\nb\n")).containsExactly("a", "", "b");
        assertThat(RuleText.physicalLines("")).isEmpty();
    }

    @Test
    public void skipsBlankAndCommentLines() {
        assertThat(RuleText.ruleLines("\uFEFF; c\n  # c\n\n  x;y  \n"))
                .containsExactly(new RuleText.Line(4, "x;y"));
    }

    @Test
    public void fieldsKeepEmptiesAndDropBlanks() {
        assertThat(RuleText.fields(" a ; b;;c; ")).containsExactly("a", "b", "", "c", "");
        assertThat(RuleText.fields("a")).containsExactly("a");
    }

    @Test
    public void decodesUtf8StrictlyAndNamesTheOffset() {
        assertThat(RuleText.decodeUtf8("/東京;pc".getBytes(StandardCharsets.UTF_8))).isEqualTo("/東京;pc");
        byte[] shiftJis = { '/', (byte) 0x93, (byte) 0x8c, ';' };
        assertThatThrownBy(() -> RuleText.decodeUtf8(shiftJis)).hasMessageContaining("not valid UTF-8")
                .hasMessageContaining("offset 1");
    }
}
