package org.opendpm.api.plugin;

import java.util.List;
import java.util.Optional;

import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootProtocol;
import org.opendpm.spi.PowerDriver;
import org.opendpm.spi.ScenarioType;
import org.opendpm.spi.StepExecutor;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The plugins present now. Ties between plugins claiming one key go to the highest {@code service.ranking}, then the
 * lowest {@code service.id}. Answers change as plugin bundles come and go.
 */
@ProviderType
public interface PluginRegistry {

    /** Every plugin and key, sorted by kind, key, then winner first. */
    List<PluginInfo> plugins();

    /** The winning model and pattern mappings: exact models first, then patterns, each sorted by name. */
    List<DeployOsMapping> deployOsMappings();

    /**
     * Resolves a machine's Deploy-OS: the explicit setting, then an exact model match, then a pattern match, then the
     * server default.
     *
     * @param explicitDeployOsId the machine's own setting, empty for "Use Default Value"
     * @param model the machine model, empty when unknown
     * @param serverDefaultId the server's default Deploy-OS id
     */
    DeployOsResolution resolveDeployOs(Optional<String> explicitDeployOsId, Optional<String> model,
            String serverDefaultId);

    Optional<ScenarioType> scenarioType(String key);

    Optional<PowerDriver> powerDriver(String key);

    Optional<StepExecutor> stepExecutor(String key);

    /**
     * The power driver keys the machine model's Deploy-OS model plugin prefers, most preferred first (exact model
     * match, then pattern); empty when the model is unknown or its plugin prefers none.
     */
    List<String> powerDriversFor(Optional<String> model);

    /**
     * The boot protocols that support the client, best ranked first; the first that can carry out an intent answers
     * it.
     */
    List<BootProtocol> bootProtocolsFor(BootClient client);
}
