package org.opendpm.scheduler.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.opendpm.api.plugin.DeployOsMapping;
import org.opendpm.api.plugin.DeployOsResolution;
import org.opendpm.api.plugin.PluginInfo;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.api.settings.ServerSettings;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootProtocol;
import org.opendpm.spi.DeployOs;
import org.opendpm.spi.PowerControl;
import org.opendpm.spi.ScenarioType;

/**
 * Scenario types the test sets; Deploy-OS {@code ia32_110331_26} is provided (with a kernel), any other id is
 * bare; the power control {@code fake} simulates.
 */
public final class TestPlugins implements PluginRegistry {
    public final Map<String, ScenarioType> types = new ConcurrentHashMap<>();
    public final Map<String, PowerControl> powerControls = new ConcurrentHashMap<>(Map.<String, PowerControl>of(
            "fake", (op, target) -> List.of(new org.opendpm.spi.PowerCommand.Simulated(op)),
            "wol", new WakeOnLanPowerControl()));

    @Override
    public Optional<ScenarioType> scenarioType(String key) {
        return Optional.ofNullable(types.get(key));
    }

    @Override
    public DeployOsResolution resolveDeployOs(Optional<String> explicitDeployOsId, Optional<String> model,
            String serverDefaultId) {
        String id = explicitDeployOsId.orElse(serverDefaultId);
        DeployOs os = id.equals(ServerSettings.DEFAULT_DEPLOY_OS)
                ? new DeployOs(id, "deployos/" + id + "/vmlinuz", "deployos/" + id + "/initrd", "", List.of("i386"))
                : new DeployOs(id, "", "", "", List.of());
        return new DeployOsResolution(os, explicitDeployOsId.isPresent() ? DeployOsResolution.Rule.EXPLICIT
                : DeployOsResolution.Rule.SERVER_DEFAULT);
    }

    @Override
    public Optional<PowerControl> powerControl(String key) {
        return Optional.ofNullable(powerControls.get(key));
    }

    @Override
    public List<PluginInfo> plugins() {
        throw new AssertionError("not used by this test");
    }

    @Override
    public List<DeployOsMapping> deployOsMappings() {
        throw new AssertionError("not used by this test");
    }

    @Override
    public Optional<BootProtocol> bootProtocolFor(BootClient client) {
        throw new AssertionError("not used by this test");
    }
}
