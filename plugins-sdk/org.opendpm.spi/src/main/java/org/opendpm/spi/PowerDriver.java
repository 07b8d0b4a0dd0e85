package org.opendpm.spi;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Power control of managed machines, an active driver (the idea of Ironic's power interface): it reports the power
 * state and carries out operations itself, with the machine's {@link PowerTarget#driverInfo() driver info}.
 *
 * <p>Registered with the property {@value #PROPERTY} set to its key ({@code wol}, {@code ipmi}, {@code redfish}
 * ...). A machine's driver is its explicit setting, else the first of its Deploy-OS model's
 * {@link DeployOsModel#powerDrivers()} that is installed, else the server's default. Of several services with one
 * key the highest {@code service.ranking} wins, then the lowest {@code service.id}.
 *
 * <p>The core calls a driver on its own threads, under a time bound; the calls may block on I/O (a BMC's answer)
 * but must not wait longer than they need to.
 */
@ConsumerType
public interface PowerDriver {

    /** Service property naming the power driver key. */
    String PROPERTY = "opendpm.power";

    /**
     * JSON Schema (draft 2020-12) of the driver info this driver reads; properties marked {@code "writeOnly": true}
     * are secrets, stored encrypted and never shown again.
     */
    default String driverInfoSchema() {
        return "{\"type\":\"object\",\"additionalProperties\":false}";
    }

    /** Checks a machine's driver info; every problem, empty when it is usable. */
    default List<SettingViolation> validate(Map<String, String> driverInfo) {
        return List.of();
    }

    /** The machine's power state; {@link PowerState#UNKNOWN} when the driver cannot tell. */
    PowerState state(PowerTarget target, PowerContext context) throws Exception;

    /** Carries out the operation; returns once the hardware (or agent) accepted it. */
    void set(PowerTarget target, PowerOperation operation, PowerContext context) throws Exception;
}
