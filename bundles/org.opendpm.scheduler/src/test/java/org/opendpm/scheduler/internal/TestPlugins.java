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
import org.opendpm.spi.PowerDriver;
import org.opendpm.spi.StepExecutor;
import org.opendpm.spi.ScenarioType;

/**
 * Scenario types the test sets; Deploy-OS {@code ia32_110331_26} is provided (with a kernel), any other id is
 * bare; the power control {@code fake} simulates.
 */
public final class TestPlugins implements PluginRegistry {
    public final Map<String, ScenarioType> types = new ConcurrentHashMap<>();
    public final Map<String, PowerDriver> powerDrivers = new ConcurrentHashMap<>(Map.<String, PowerDriver>of(
            "fake", new SimulatedPower(), "wol", new org.opendpm.scheduler.internal.power.WakeOnLanPowerDriver()));
    /** Power drivers a machine model prefers, by model. */
    public final Map<String, List<String>> modelPowerDrivers = new ConcurrentHashMap<>();
    public final Map<String, StepExecutor> stepExecutors = new ConcurrentHashMap<>(builtInSteps());

    /** The core's built-in step executors, as the container registers them. */
    public static Map<String, StepExecutor> builtInSteps() {
        return Map.of(StepExecutor.POWER_ON, new org.opendpm.scheduler.internal.engine.steps.PowerOnStep(),
                StepExecutor.REBOOT_INTO_DEPLOY_OS,
                new org.opendpm.scheduler.internal.engine.steps.RebootIntoDeployOsStep(),
                StepExecutor.AGENT_COMMAND, new org.opendpm.scheduler.internal.engine.steps.AgentCommandStep(),
                StepExecutor.TRANSFER, new org.opendpm.scheduler.internal.engine.steps.TransferStep(),
                StepExecutor.WAIT_FOR_AGENT, new org.opendpm.scheduler.internal.engine.steps.WaitForAgentStep(),
                StepExecutor.LOCAL_BOOT, new org.opendpm.scheduler.internal.engine.steps.LocalBootStep(),
                StepExecutor.POWER_OFF, new org.opendpm.scheduler.internal.engine.steps.PowerOffStep());
    }

    /** A power driver that only records: every machine is on after ON and RESET, off after OFF. */
    public static final class SimulatedPower implements PowerDriver {
        public final Map<String, org.opendpm.spi.PowerState> states = new ConcurrentHashMap<>();

        @Override
        public org.opendpm.spi.PowerState state(org.opendpm.spi.PowerTarget target,
                org.opendpm.spi.PowerContext context) {
            return states.getOrDefault(target.primaryMac(), org.opendpm.spi.PowerState.OFF);
        }

        @Override
        public void set(org.opendpm.spi.PowerTarget target, org.opendpm.spi.PowerOperation operation,
                org.opendpm.spi.PowerContext context) {
            states.put(target.primaryMac(), operation == org.opendpm.spi.PowerOperation.OFF
                    ? org.opendpm.spi.PowerState.OFF
                    : org.opendpm.spi.PowerState.ON);
        }
    }

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
        return new DeployOsResolution(os, explicitDeployOsId.isPresent()
                ? DeployOsResolution.Rule.EXPLICIT
                : DeployOsResolution.Rule.SERVER_DEFAULT);
    }

    @Override
    public Optional<PowerDriver> powerDriver(String key) {
        return Optional.ofNullable(powerDrivers.get(key));
    }

    @Override
    public Optional<StepExecutor> stepExecutor(String key) {
        return Optional.ofNullable(stepExecutors.get(key));
    }

    @Override
    public List<String> powerDriversFor(Optional<String> model) {
        return model.map(m -> modelPowerDrivers.getOrDefault(m, List.of())).orElse(List.of());
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
    public List<BootProtocol> bootProtocolsFor(BootClient client) {
        throw new AssertionError("not used by this test");
    }
}
