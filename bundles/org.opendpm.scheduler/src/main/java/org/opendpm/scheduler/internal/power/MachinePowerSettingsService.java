package org.opendpm.scheduler.internal.power;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.opendpm.api.ConflictException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.Machine;
import org.opendpm.api.power.MachinePowerSettings;
import org.opendpm.api.power.PowerDriverChoice;
import org.opendpm.api.power.PowerSettingsService;
import org.opendpm.api.power.PowerSettingsUpdate;
import org.opendpm.spi.SettingViolation;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A machine's power driver and driver info, checked before they are stored: the driver must be installed, the info
 * must fit the driver's schema (unknown and required properties, types, lengths, patterns) and pass the driver's own
 * {@code validate}. Secrets are write-only: {@link #get} lists their names, never their values, and nothing here logs
 * a value of the driver info.
 */
@Component(service = PowerSettingsService.class)
public class MachinePowerSettingsService implements PowerSettingsService {

    private static final Logger LOG = LoggerFactory.getLogger(MachinePowerSettingsService.class);
    private static final Pattern DRIVER_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern PROPERTY = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");

    private final InventoryService inventory;
    private final PowerDrivers drivers;
    private final PowerSettingsStore store;
    private final Clock clock;

    @Activate
    public MachinePowerSettingsService(@Reference InventoryService inventory, @Reference PowerDrivers drivers,
            @Reference PowerSettingsStore store) {
        this(inventory, drivers, store, Clock.systemUTC());
    }

    MachinePowerSettingsService(InventoryService inventory, PowerDrivers drivers, PowerSettingsStore store,
            Clock clock) {
        this.inventory = inventory;
        this.drivers = drivers;
        this.store = store;
        this.clock = clock;
    }

    @Override
    public MachinePowerSettings get(long machineId) {
        Machine m = inventory.machine(machineId);
        Optional<PowerSettingsStore.Stored> stored = store.read(machineId);
        Optional<String> explicit = stored.flatMap(PowerSettingsStore.Stored::driver);
        PowerDrivers.Choice choice = drivers.choose(m.model(), explicit);
        boolean installed = drivers.installed(choice.key());
        Optional<String> schema = Optional.empty();
        if (installed) {
            try {
                schema = Optional.of(drivers.driverInfoSchema(choice.key()));
            } catch (ConflictException e) {
                // The failing driver is logged by the guard; the settings are still worth showing.
            }
        }
        return new MachinePowerSettings(machineId, explicit, choice.key(), choice.reason(), installed,
                stored.map(PowerSettingsStore.Stored::plain).orElse(Map.of()),
                stored.map(s -> s.sealed().keySet()).orElse(Set.of()), schema,
                stored.map(PowerSettingsStore.Stored::setBy), stored.map(PowerSettingsStore.Stored::setAt));
    }

    @Override
    public MachinePowerSettings set(long machineId, PowerSettingsUpdate update, String setBy) {
        Machine m = inventory.machine(machineId);
        Optional<String> explicit = update.driver();
        if (explicit.isPresent()) {
            String key = explicit.get();
            if (!DRIVER_KEY.matcher(key).matches()) {
                throw new ValidationException("driver", "A power driver key is 1 to 64 letters, digits, '.', '_' "
                        + "or '-'");
            }
            if (!drivers.installed(key)) {
                throw new ValidationException("driver", "Power driver '" + key + "' is not installed");
            }
        }
        Map<String, String> given = update.driverInfo();
        checkBounds(given);
        PowerDrivers.Choice choice = drivers.choose(m.model(), explicit);
        if (!drivers.installed(choice.key())) {
            if (!given.isEmpty()) {
                throw new ValidationException("driver", "Power driver '" + choice.key() + "', the machine's "
                        + (choice.reason() == PowerDriverChoice.MODEL
                                ? "model's choice"
                                : "server default")
                        + ", is not installed: its driver info cannot be checked; name an installed driver");
            }
            store.replace(machineId, explicit, Map.of(), Map.of(), setBy, clock.instant());
            LOG.info("Power settings of machine {} cleared by {}", m.name(), setBy);
            return get(machineId);
        }
        DriverInfoSchema schema;
        try {
            schema = DriverInfoSchema.parse(drivers.driverInfoSchema(choice.key()));
        } catch (IllegalArgumentException e) {
            throw new ConflictException("Power driver '" + choice.key() + "' has a broken driver info schema: "
                    + e.getMessage());
        }
        Set<String> secretNames = schema.secrets();
        Map<String, String> plain = new TreeMap<>();
        Map<String, String> secrets = new TreeMap<>();
        given.forEach((name, value) -> {
            if (!secretNames.contains(name)) {
                plain.put(name, value);
            } else if (!value.isEmpty()) {
                secrets.put(name, value);
            } // a secret given as "" is removed
        });
        secrets.putAll(keptSecrets(m, choice, given, secretNames));

        Map<String, String> whole = new LinkedHashMap<>(plain);
        whole.putAll(secrets);
        refuse(schema.check(whole));
        refuse(drivers.validate(choice.key(), whole));

        store.replace(machineId, explicit, plain, secrets, setBy, clock.instant());
        LOG.info("Power settings of machine {} set by {}: driver {}, driver info {}, secrets {}", m.name(), setBy,
                explicit.orElse("(automatic: " + choice.key() + ")"), plain.keySet(), secrets.keySet());
        return get(machineId);
    }

    /** Stored secrets not given again, opened, while the machine keeps its driver: they are write-only. */
    private Map<String, String> keptSecrets(Machine m, PowerDrivers.Choice choice, Map<String, String> given,
            Set<String> secretNames) {
        Optional<PowerSettingsStore.Stored> stored = store.read(m.id());
        if (stored.isEmpty() || !drivers.choose(m.model(), stored.get().driver()).key().equals(choice.key())) {
            return Map.of();
        }
        Map<String, String> kept = new TreeMap<>(stored.get().sealed());
        kept.keySet().removeIf(name -> given.containsKey(name) || !secretNames.contains(name));
        if (kept.isEmpty()) {
            return Map.of();
        }
        PowerSettingsStore.Stored s = stored.get();
        return store.open(m.id(), m.name(), new PowerSettingsStore.Stored(s.driver(), Map.of(), kept, s.setBy(),
                s.setAt()));
    }

    private static void checkBounds(Map<String, String> info) {
        if (info.size() > MAX_PROPERTIES) {
            throw new ValidationException("driverInfo", "Driver info has at most " + MAX_PROPERTIES
                    + " properties, not " + info.size());
        }
        info.forEach((name, value) -> {
            if (name == null || !PROPERTY.matcher(name).matches()) {
                throw new ValidationException("driverInfo", "A driver info property name is a letter followed by"
                        + " at most 63 letters, digits, '.', '_' or '-'");
            }
            if (value == null) {
                throw new ValidationException("driverInfo." + name, "'" + name + "' has no value");
            }
            if (value.length() > MAX_VALUE_CHARS) {
                throw new ValidationException("driverInfo." + name, "'" + name + "' is longer than "
                        + MAX_VALUE_CHARS + " characters");
            }
        });
    }

    /** Bad input is named by its first property; the message has every problem. */
    private static void refuse(List<SettingViolation> violations) {
        if (violations.isEmpty()) {
            return;
        }
        throw new ValidationException("driverInfo." + violations.get(0).field(), violations.stream()
                .map(SettingViolation::message).collect(Collectors.joining("; ")));
    }
}
