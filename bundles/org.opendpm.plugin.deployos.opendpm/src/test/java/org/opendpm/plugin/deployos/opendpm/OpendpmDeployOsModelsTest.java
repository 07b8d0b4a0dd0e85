package org.opendpm.plugin.deployos.opendpm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.opendpm.spi.testkit.DeployOsDescriptors;

/** The OpenDPM Deploy-OS serves every model, below any vendor's pattern, from the layout the build installs. */
public class OpendpmDeployOsModelsTest {

    private final DeployOsDescriptors descriptor = DeployOsDescriptors.load(getClass().getClassLoader(),
            "OSGI-INF/opendpm/deployos-models.xml");

    @Test
    public void servesEveryModelFromTheInstalledLayout() {
        assertThat(descriptor.table()).containsOnly(Map.entry("*", "opendpm-amd64"));
        var os = descriptor.resolve("Some Server Nobody Describes").orElseThrow();
        assertThat(os.id()).isEqualTo("opendpm-amd64");
        // deployos/build-deployos.sh --install BOOT_ROOT copies the files to exactly these paths.
        assertThat(os.kernel()).isEqualTo("deployos/opendpm-amd64/vmlinuz");
        assertThat(os.initrd()).isEqualTo("deployos/opendpm-amd64/initrd.img");
        assertThat(os.bootArguments()).isEqualTo("console=tty0 console=ttyS0 quiet");
        assertThat(os.architectures()).isEqualTo(List.of("x86_64"));
        assertThat(descriptor.resolve("NEC Express5800 001")).contains(os);
    }

    @Test
    public void ranksBelowVendorPatterns() {
        // Vendor descriptors rank their patterns 0 unless they say otherwise.
        assertThat(descriptor.entries()).singleElement().satisfies(e -> assertThat(e.ranking()).isNegative());
    }
}
