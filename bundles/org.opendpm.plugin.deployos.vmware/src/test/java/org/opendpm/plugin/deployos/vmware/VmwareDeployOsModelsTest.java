package org.opendpm.plugin.deployos.vmware;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.Test;
import org.opendpm.spi.testkit.DeployOsDescriptors;

/** The shipped descriptor gives exactly the Deploy-OS table of DOS-1. */
public class VmwareDeployOsModelsTest {

    @Test
    public void descriptorMatchesTheGuidesTable() {
        var descriptor = DeployOsDescriptors.load(getClass().getClassLoader(),
                "OSGI-INF/opendpm/deployos-models.xml");
        assertThat(descriptor.table()).containsOnly(
                Map.entry("VMware ESX Virtual Machine 001", "ia32_110331_26"),
                Map.entry("VMware ESXi Virtual Machine 002", "ia32_121228_26"),
                Map.entry("VMware ESXi Virtual Machine 003", "ia32_150413_26"));
        assertThat(descriptor.resolve("Unknown model")).isEmpty();
        assertThat(descriptor.entries()).allSatisfy(e -> assertThat(e.deployOs().kernel()).endsWith("/vmlinuz"));
    }
}
