package org.opendpm.spi.descriptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.Test;

public class DeployOsDescriptorTest {

    private static List<DeployOsEntry> parse(String xml) throws IOException {
        return DeployOsDescriptor.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), "test.xml");
    }

    @Test
    public void readsEntriesModelsPatternsAndRanking() throws IOException {
        var entries = parse("""
                <deployos-models vendor="NEC">
                  <deployos id="ia32_080331_24" kernel="k" initrd="i" arguments="quiet" architectures="i386">
                    <model>NEC Express5800 001</model>
                  </deployos>
                  <deployos id="ia32_110331_26" architectures="i386 x86_64" ranking="5">
                    <model>NEC Express5800 002</model>
                    <pattern>NEC Express5800 1*</pattern>
                  </deployos>
                </deployos-models>""");
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).deployOs().id()).isEqualTo("ia32_080331_24");
        assertThat(entries.get(0).deployOs().architectures()).containsExactly("i386");
        assertThat(entries.get(1).ranking()).isEqualTo(5);
        assertThat(entries.get(1).keys()).containsExactly("NEC Express5800 002", "NEC Express5800 1*");
    }

    @Test
    public void refusesMissingIdWithItsPosition() {
        assertThatThrownBy(() -> parse("<deployos-models><deployos><model>m</model></deployos></deployos-models>"))
                .isInstanceOf(InvalidDescriptorException.class).hasMessageContaining("#1")
                .hasMessageContaining("id is missing");
    }

    @Test
    public void refusesEntryWithoutModels() {
        assertThatThrownBy(() -> parse("<deployos-models><deployos id='x'/></deployos-models>"))
                .hasMessageContaining("names no <model> or <pattern>");
    }

    @Test
    public void refusesDuplicateIdUnknownElementAndBadRanking() {
        assertThatThrownBy(() -> parse("<deployos-models><deployos id='x'><model>a</model></deployos>"
                + "<deployos id='x'><model>b</model></deployos></deployos-models>")).hasMessageContaining("twice");
        assertThatThrownBy(() -> parse("<deployos-models><deployos id='x'><modell>a</modell></deployos>"
                + "</deployos-models>")).hasMessageContaining("unknown element <modell>");
        assertThatThrownBy(() -> parse("<deployos-models><deployos id='x' ranking='high'><model>a</model>"
                + "</deployos></deployos-models>")).hasMessageContaining("not a whole number");
    }

    @Test
    public void refusesMalformedXmlWithLineAndDoctype() {
        assertThatThrownBy(() -> parse("<deployos-models>\n<deployos id='x'>\n</deployos-models>"))
                .isInstanceOf(InvalidDescriptorException.class).hasMessageStartingWith("test.xml:3");
        assertThatThrownBy(() -> parse("<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><deployos-models/>"))
                .isInstanceOf(InvalidDescriptorException.class);
        assertThatThrownBy(() -> parse("<models/>")).hasMessageContaining("root element");
    }

    @Test
    public void globMatchesStarAndQuestionMarkIgnoringCase() {
        assertThat(DeployOsDescriptor.matches("NEC Express5800 1*", "nec express5800 120Rh")).isTrue();
        assertThat(DeployOsDescriptor.matches("VMware ESXi Virtual Machine 00?", "VMware ESXi Virtual Machine 003"))
                .isTrue();
        assertThat(DeployOsDescriptor.matches("VMware ESXi Virtual Machine 00?", "VMware ESXi Virtual Machine 0031"))
                .isFalse();
        assertThat(DeployOsDescriptor.matches("*", "")).isTrue();
        assertThat(DeployOsDescriptor.matches("a*b*c", "abxbxc")).isTrue();
        assertThat(DeployOsDescriptor.matches("a*b*c", "abxbx")).isFalse();
        assertThat(DeployOsDescriptor.isPattern("NEC *")).isTrue();
        assertThat(DeployOsDescriptor.isPattern("NEC Express5800 001")).isFalse();
    }
}
