package org.opendpm.core.internal.plugin;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import org.opendpm.api.plugin.DeployOsMapping;
import org.opendpm.api.plugin.DeployOsResolution;
import org.opendpm.api.plugin.DeployOsResolution.Rule;
import org.opendpm.api.plugin.PluginInfo;
import org.opendpm.api.plugin.PluginKind;
import org.opendpm.api.plugin.PluginRegistry;
import org.opendpm.spi.BootClient;
import org.opendpm.spi.BootProtocol;
import org.opendpm.spi.DeployOs;
import org.opendpm.spi.DeployOsModel;
import org.opendpm.spi.PowerDriver;
import org.opendpm.spi.ScenarioType;
import org.opendpm.spi.StepExecutor;
import org.opendpm.spi.descriptor.DeployOsDescriptor;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracks every plugin service and answers which one wins for a key. Plugins are collected with dynamic, greedy
 * references, so a plugin bundle installed, updated or removed at run time is seen at once; every answer is
 * computed from the services present at that moment.
 */
@Component(service = PluginRegistry.class, immediate = true)
public class PluginRegistryImpl implements PluginRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(PluginRegistryImpl.class);

    private final Map<PluginKind, Map<Long, PluginEntry<?>>> entries = new ConcurrentHashMap<>();

    public PluginRegistryImpl() {
        for (PluginKind kind : PluginKind.values()) {
            entries.put(kind, new ConcurrentHashMap<>());
        }
    }

    // --- tracking -------------------------------------------------------------------------------------------

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindScenarioType(ScenarioType service, ServiceReference<ScenarioType> ref) {
        add(PluginKind.SCENARIO_TYPE, PluginEntry.of(service, ref, ScenarioType.PROPERTY));
    }

    void updatedScenarioType(ScenarioType service, ServiceReference<ScenarioType> ref) {
        bindScenarioType(service, ref);
    }

    void unbindScenarioType(ServiceReference<ScenarioType> ref) {
        remove(PluginKind.SCENARIO_TYPE, ref);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindDeployOsModel(DeployOsModel service, ServiceReference<DeployOsModel> ref) {
        add(PluginKind.DEPLOY_OS_MODEL, PluginEntry.of(service, ref, DeployOsModel.PROPERTY));
    }

    void updatedDeployOsModel(DeployOsModel service, ServiceReference<DeployOsModel> ref) {
        bindDeployOsModel(service, ref);
    }

    void unbindDeployOsModel(ServiceReference<DeployOsModel> ref) {
        remove(PluginKind.DEPLOY_OS_MODEL, ref);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindBootProtocol(BootProtocol service, ServiceReference<BootProtocol> ref) {
        add(PluginKind.BOOT_PROTOCOL, PluginEntry.of(service, ref, BootProtocol.PROPERTY));
    }

    void updatedBootProtocol(BootProtocol service, ServiceReference<BootProtocol> ref) {
        bindBootProtocol(service, ref);
    }

    void unbindBootProtocol(ServiceReference<BootProtocol> ref) {
        remove(PluginKind.BOOT_PROTOCOL, ref);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindPowerDriver(PowerDriver service, ServiceReference<PowerDriver> ref) {
        add(PluginKind.POWER_DRIVER, PluginEntry.of(service, ref, PowerDriver.PROPERTY));
    }

    void updatedPowerDriver(PowerDriver service, ServiceReference<PowerDriver> ref) {
        bindPowerDriver(service, ref);
    }

    void unbindPowerDriver(ServiceReference<PowerDriver> ref) {
        remove(PluginKind.POWER_DRIVER, ref);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindStepExecutor(StepExecutor service, ServiceReference<StepExecutor> ref) {
        add(PluginKind.STEP_EXECUTOR, PluginEntry.of(service, ref, StepExecutor.PROPERTY));
    }

    void updatedStepExecutor(StepExecutor service, ServiceReference<StepExecutor> ref) {
        bindStepExecutor(service, ref);
    }

    void unbindStepExecutor(ServiceReference<StepExecutor> ref) {
        remove(PluginKind.STEP_EXECUTOR, ref);
    }

    /** Adds or replaces a plugin; used directly by unit tests. */
    void add(PluginKind kind, PluginEntry<?> entry) {
        if (entry.keys().isEmpty()) {
            LOG.warn("{} service {} from bundle {} has no {} property and is ignored", kind.label(),
                    entry.serviceId(), entry.bundle(), kind.property());
        }
        entries.get(kind).put(entry.serviceId(), entry);
        for (String key : entry.keys()) {
            List<PluginEntry<?>> claimants = claimants(kind, key);
            if (claimants.size() > 1) {
                PluginEntry<?> winner = claimants.get(0);
                LOG.warn("{} '{}' is claimed by {} services; bundle {} (service {}, ranking {}) wins", kind.label(),
                        key, claimants.size(), winner.bundle(), winner.serviceId(), winner.ranking());
            }
        }
        LOG.info("Plugin {} {} from bundle {} {} is available", kind.label(), entry.keys(), entry.bundle(),
                entry.bundleVersion());
    }

    void remove(PluginKind kind, ServiceReference<?> ref) {
        remove(kind, (Long) ref.getProperty(org.osgi.framework.Constants.SERVICE_ID));
    }

    void remove(PluginKind kind, long serviceId) {
        PluginEntry<?> gone = entries.get(kind).remove(serviceId);
        if (gone != null) {
            LOG.info("Plugin {} {} from bundle {} is gone", kind.label(), gone.keys(), gone.bundle());
        }
    }

    // --- answers ----------------------------------------------------------------------------------------------

    private List<PluginEntry<?>> claimants(PluginKind kind, String key) {
        return entries.get(kind).values().stream().filter(e -> e.keys().contains(key))
                .sorted(PluginEntry::compareBestFirst).toList();
    }

    @Override
    public List<PluginInfo> plugins() {
        var result = new ArrayList<PluginInfo>();
        for (PluginKind kind : PluginKind.values()) {
            var keys = entries.get(kind).values().stream().flatMap(e -> e.keys().stream()).distinct().sorted()
                    .toList();
            for (String key : keys) {
                List<PluginEntry<?>> claimants = claimants(kind, key);
                for (int i = 0; i < claimants.size(); i++) {
                    PluginEntry<?> e = claimants.get(i);
                    result.add(new PluginInfo(kind, key, e.bundle(), e.bundleVersion(), e.bundleId(), e.serviceId(),
                            e.ranking(), i == 0));
                }
            }
        }
        return result;
    }

    @Override
    public List<DeployOsMapping> deployOsMappings() {
        return plugins().stream().filter(p -> p.kind() == PluginKind.DEPLOY_OS_MODEL && p.winner())
                .map(p -> {
                    DeployOsModel model = (DeployOsModel) entries.get(PluginKind.DEPLOY_OS_MODEL).get(p.serviceId())
                            .service();
                    return new DeployOsMapping(p.key(), DeployOsDescriptor.isPattern(p.key()), model.deployOs().id(),
                            p.bundle());
                })
                .sorted(Comparator.comparing(DeployOsMapping::pattern).thenComparing(DeployOsMapping::model))
                .toList();
    }

    @Override
    public DeployOsResolution resolveDeployOs(Optional<String> explicitDeployOsId, Optional<String> model,
            String serverDefaultId) {
        Objects.requireNonNull(serverDefaultId, "serverDefaultId");
        if (explicitDeployOsId.filter(s -> !s.isBlank()).isPresent()) {
            return new DeployOsResolution(knownOrBare(explicitDeployOsId.get()), Rule.EXPLICIT);
        }
        if (model.filter(s -> !s.isBlank()).isPresent()) {
            String m = model.get().strip();
            Optional<DeployOs> exact = bestDeployOs(k -> !DeployOsDescriptor.isPattern(k) && k.equalsIgnoreCase(m));
            if (exact.isPresent()) {
                return new DeployOsResolution(exact.get(), Rule.EXACT_MODEL);
            }
            Optional<DeployOs> pattern = bestDeployOs(
                    k -> DeployOsDescriptor.isPattern(k) && DeployOsDescriptor.matches(k, m));
            if (pattern.isPresent()) {
                return new DeployOsResolution(pattern.get(), Rule.MODEL_PATTERN);
            }
        }
        return new DeployOsResolution(knownOrBare(serverDefaultId), Rule.SERVER_DEFAULT);
    }

    private Optional<DeployOs> bestDeployOs(Predicate<String> keyMatches) {
        return entries.get(PluginKind.DEPLOY_OS_MODEL).values().stream()
                .filter(e -> e.keys().stream().anyMatch(keyMatches)).sorted(PluginEntry::compareBestFirst)
                .map(e -> ((DeployOsModel) e.service()).deployOs()).findFirst();
    }

    /** A Deploy-OS named by id: the full description when a plugin provides it, else the id alone. */
    private DeployOs knownOrBare(String id) {
        return entries.get(PluginKind.DEPLOY_OS_MODEL).values().stream().sorted(PluginEntry::compareBestFirst)
                .map(e -> ((DeployOsModel) e.service()).deployOs()).filter(d -> d.id().equals(id)).findFirst()
                .orElseGet(() -> new DeployOs(id, "", "", "", List.of()));
    }

    @Override
    public Optional<ScenarioType> scenarioType(String key) {
        return winner(PluginKind.SCENARIO_TYPE, key, ScenarioType.class);
    }

    @Override
    public Optional<PowerDriver> powerDriver(String key) {
        return winner(PluginKind.POWER_DRIVER, key, PowerDriver.class);
    }

    @Override
    public Optional<StepExecutor> stepExecutor(String key) {
        return winner(PluginKind.STEP_EXECUTOR, key, StepExecutor.class);
    }

    @Override
    public List<String> powerDriversFor(Optional<String> model) {
        if (model.filter(s -> !s.isBlank()).isEmpty()) {
            return List.of();
        }
        String m = model.get().strip();
        Optional<PluginEntry<?>> best = bestModelEntry(k -> !DeployOsDescriptor.isPattern(k) && k.equalsIgnoreCase(m))
                .or(() -> bestModelEntry(k -> DeployOsDescriptor.isPattern(k) && DeployOsDescriptor.matches(k, m)));
        return best.map(e -> {
            try {
                return List.copyOf(((DeployOsModel) e.service()).powerDrivers());
            } catch (RuntimeException ex) {
                LOG.error("Deploy-OS model plugin of bundle {} failed in powerDrivers()", e.bundle(), ex);
                return List.<String>of();
            }
        }).orElse(List.of());
    }

    private Optional<PluginEntry<?>> bestModelEntry(Predicate<String> keyMatches) {
        return entries.get(PluginKind.DEPLOY_OS_MODEL).values().stream()
                .filter(e -> e.keys().stream().anyMatch(keyMatches)).sorted(PluginEntry::compareBestFirst)
                .findFirst();
    }

    @Override
    public List<BootProtocol> bootProtocolsFor(BootClient client) {
        return entries.get(PluginKind.BOOT_PROTOCOL).values().stream().sorted(PluginEntry::compareBestFirst)
                .map(e -> (BootProtocol) e.service()).filter(p -> supportsSafely(p, client)).toList();
    }

    /** A plugin that throws is treated as not supporting the client; it must not take boot serving down. */
    private static boolean supportsSafely(BootProtocol protocol, BootClient client) {
        try {
            return protocol.supports(client);
        } catch (RuntimeException e) {
            LOG.error("Boot protocol {} failed in supports()", protocol.getClass().getName(), e);
            return false;
        }
    }

    private <T> Optional<T> winner(PluginKind kind, String key, Class<T> type) {
        return claimants(kind, key).stream().findFirst().map(e -> type.cast(e.service()));
    }
}
