package org.opendpm.netboot.internal;

import java.util.List;
import java.util.Optional;

import org.opendpm.api.plugin.DeployOsMapping;
import org.opendpm.api.plugin.DeployOsResolution;
import org.opendpm.api.plugin.PluginInfo;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootProtocol;
import org.opendpm.spi.DeployOs;
import org.opendpm.spi.PowerDriver;
import org.opendpm.spi.ScenarioType;

/** A registry holding boot protocols only, asked in order as the real one asks by ranking. */
final class FakePlugins implements PluginRegistry {

    private final List<BootProtocol> protocols;

    FakePlugins(BootProtocol... protocols) {
        this.protocols = List.of(protocols);
    }

    @Override
    public List<BootProtocol> bootProtocolsFor(BootClient client) {
        return protocols.stream().filter(p -> p.supports(client)).toList();
    }

    @Override
    public List<PluginInfo> plugins() {
        return List.of();
    }

    @Override
    public List<DeployOsMapping> deployOsMappings() {
        return List.of();
    }

    @Override
    public DeployOsResolution resolveDeployOs(Optional<String> explicitDeployOsId, Optional<String> model,
            String serverDefaultId) {
        // The documented order, with made-up kernels that show which rule won.
        if (explicitDeployOsId.isPresent()) {
            return new DeployOsResolution(deployOs(explicitDeployOsId.get()), DeployOsResolution.Rule.EXPLICIT);
        }
        if (model.isPresent()) {
            return new DeployOsResolution(deployOs("model-" + model.get()), DeployOsResolution.Rule.EXACT_MODEL);
        }
        return new DeployOsResolution(deployOs(serverDefaultId), DeployOsResolution.Rule.SERVER_DEFAULT);
    }

    private static DeployOs deployOs(String id) {
        return new DeployOs(id, "deployos/" + id + "/vmlinuz", "", "", List.of("x86_64"));
    }

    @Override
    public Optional<ScenarioType> scenarioType(String key) {
        return Optional.empty();
    }

    @Override
    public Optional<PowerDriver> powerDriver(String key) {
        return Optional.empty();
    }

    @Override
    public Optional<org.opendpm.spi.StepExecutor> stepExecutor(String key) {
        return Optional.empty();
    }

    @Override
    public List<String> powerDriversFor(Optional<String> model) {
        return List.of();
    }
}
