package org.opendpm.core.internal.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;
import org.opendpm.api.plugin.DeployOsResolution.Rule;
import org.opendpm.api.plugin.PluginInfo;
import org.opendpm.api.plugin.PluginKind;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootIntent;
import org.opendpm.spi.BootProtocol;
import org.opendpm.spi.BootResponse;
import org.opendpm.spi.DeployOs;
import org.opendpm.spi.DeployOsModel;
import org.opendpm.spi.PowerDriver;
import org.opendpm.spi.testkit.BootClients;
import org.osgi.framework.Constants;

/** Selection order of plugins (ARCHITECTURE "plugin SPI", DOS-1). */
public class PluginRegistryImplTest {

    private long nextServiceId = 1;

    private <T> PluginEntry<T> entry(T service, String property, Object keys, int ranking, String bundle) {
        return PluginEntry.of(service, Map.of(property, keys, Constants.SERVICE_ID, nextServiceId++,
                Constants.SERVICE_RANKING, ranking), property, bundle, "1.0.0", 10);
    }

    private static DeployOsModel deployOs(String id) {
        DeployOs os = new DeployOs(id, "k", "i", "", List.of("i386"));
        return () -> os;
    }

    private static PowerDriver power() {
        return new PowerDriver() {
            @Override
            public org.opendpm.spi.PowerState state(org.opendpm.spi.PowerTarget target,
                    org.opendpm.spi.PowerContext context) {
                return org.opendpm.spi.PowerState.UNKNOWN;
            }

            @Override
            public void set(org.opendpm.spi.PowerTarget target, org.opendpm.spi.PowerOperation operation,
                    org.opendpm.spi.PowerContext context) {
            }
        };
    }

    @Test
    public void higherRankingWinsThenLowestServiceId() {
        var registry = new PluginRegistryImpl();
        PowerDriver first = power();
        PowerDriver second = power();
        PowerDriver ranked = power();
        registry.add(PluginKind.POWER_DRIVER, entry(first, PowerDriver.PROPERTY, "ipmi", 0, "a"));
        registry.add(PluginKind.POWER_DRIVER, entry(second, PowerDriver.PROPERTY, "ipmi", 0, "b"));
        assertThat(registry.powerDriver("ipmi")).containsSame(first);

        PluginEntry<PowerDriver> rankedEntry = entry(ranked, PowerDriver.PROPERTY, "ipmi", 10, "c");
        registry.add(PluginKind.POWER_DRIVER, rankedEntry);
        assertThat(registry.powerDriver("ipmi")).containsSame(ranked);
        assertThat(registry.plugins()).filteredOn(PluginInfo::winner).extracting(PluginInfo::bundle)
                .containsExactly("c");
        assertThat(registry.plugins()).extracting(PluginInfo::bundle).containsExactly("c", "a", "b");

        registry.remove(PluginKind.POWER_DRIVER, rankedEntry.serviceId());
        assertThat(registry.powerDriver("ipmi")).containsSame(first);
        assertThat(registry.powerDriver("redfish")).isEmpty();
    }

    @Test
    public void deployOsResolvesExplicitThenExactThenPatternThenDefault() {
        var registry = new PluginRegistryImpl();
        registry.add(PluginKind.DEPLOY_OS_MODEL, entry(deployOs("exact_os"), DeployOsModel.PROPERTY,
                new String[]{ "NEC Express5800 002" }, 0, "nec"));
        registry.add(PluginKind.DEPLOY_OS_MODEL, entry(deployOs("pattern_os"), DeployOsModel.PROPERTY,
                new String[]{ "NEC Express5800 0*" }, 100, "nec"));

        var explicit = registry.resolveDeployOs(Optional.of("exact_os"), Optional.of("anything"), "dflt");
        assertThat(explicit.rule()).isEqualTo(Rule.EXPLICIT);
        assertThat(explicit.deployOs().kernel()).isEqualTo("k");

        // An exact match beats a better-ranked pattern.
        var exact = registry.resolveDeployOs(Optional.empty(), Optional.of("nec express5800 002"), "dflt");
        assertThat(exact.rule()).isEqualTo(Rule.EXACT_MODEL);
        assertThat(exact.deployOs().id()).isEqualTo("exact_os");

        var pattern = registry.resolveDeployOs(Optional.empty(), Optional.of("NEC Express5800 006"), "dflt");
        assertThat(pattern.rule()).isEqualTo(Rule.MODEL_PATTERN);
        assertThat(pattern.deployOs().id()).isEqualTo("pattern_os");

        var fallback = registry.resolveDeployOs(Optional.of(" "), Optional.of("Unknown Box"), "ia32_110331_26");
        assertThat(fallback.rule()).isEqualTo(Rule.SERVER_DEFAULT);
        assertThat(fallback.deployOs().id()).isEqualTo("ia32_110331_26");
        assertThat(registry.resolveDeployOs(Optional.empty(), Optional.empty(), "d").rule())
                .isEqualTo(Rule.SERVER_DEFAULT);
    }

    @Test
    public void mappingsListWinnersExactModelsFirst() {
        var registry = new PluginRegistryImpl();
        registry.add(PluginKind.DEPLOY_OS_MODEL,
                entry(deployOs("os_a"), DeployOsModel.PROPERTY, new String[]{ "B model", "A*" }, 0, "x"));
        registry.add(PluginKind.DEPLOY_OS_MODEL,
                entry(deployOs("os_b"), DeployOsModel.PROPERTY, new String[]{ "B model" }, 5, "y"));
        assertThat(registry.deployOsMappings()).extracting(m -> m.model() + "=" + m.deployOsId() + "@" + m.bundle())
                .containsExactly("B model=os_b@y", "A*=os_a@x");
    }

    @Test
    public void bootProtocolIsTheBestRankedThatSupportsTheClientAndAFailingPluginIsSkipped() {
        var registry = new PluginRegistryImpl();
        BootProtocol biosOnly = protocol(c -> c.architecture() == BootClient.ARCH_BIOS);
        BootProtocol broken = protocol(c -> {
            throw new IllegalStateException("plugin bug");
        });
        registry.add(PluginKind.BOOT_PROTOCOL, entry(biosOnly, BootProtocol.PROPERTY, "pxe-bios", 0, "p"));
        registry.add(PluginKind.BOOT_PROTOCOL, entry(broken, BootProtocol.PROPERTY, "broken", 50, "q"));
        assertThat(registry.bootProtocolsFor(BootClients.bios("00:11:22:33:44:55"))).containsExactly(biosOnly);
        assertThat(registry.bootProtocolsFor(BootClients.uefi("00:11:22:33:44:55"))).isEmpty();
    }

    @Test
    public void serviceWithoutKeyIsListedNowhere() {
        var registry = new PluginRegistryImpl();
        registry.add(PluginKind.POWER_DRIVER, entry(power(), PowerDriver.PROPERTY, "", 0, "a"));
        assertThat(registry.plugins()).isEmpty();
    }

    private static BootProtocol protocol(java.util.function.Predicate<BootClient> supports) {
        return new BootProtocol() {
            @Override
            public boolean supports(BootClient client) {
                return supports.test(client);
            }

            @Override
            public java.util.Optional<BootResponse> respond(BootClient client, BootIntent intent) {
                return java.util.Optional.of(new BootResponse("x", Map.of()));
            }
        };
    }
}
