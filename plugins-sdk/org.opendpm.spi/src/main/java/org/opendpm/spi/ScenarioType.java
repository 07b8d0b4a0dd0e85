package org.opendpm.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A scenario type: one tab of a scenario (HW Setting, OS, Package, Backup/Restore ...), its settings and the steps
 * that carry it out on one machine.
 *
 * <p>Registered as an OSGi service with the property {@value #PROPERTY} set to the type key, for example
 * {@code backup-restore}. Of several services with the same key the highest {@code service.ranking} wins, then the
 * lowest {@code service.id}.
 */
@ConsumerType
public interface ScenarioType {

    /** Service property naming the scenario type key. */
    String PROPERTY = "opendpm.scenario.type";

    /** Name of the tab shown to administrators. */
    String displayName();

    /**
     * Version of the settings document this plugin writes. Settings stored by an older version are passed through
     * {@link #migrateSettings(int, Map)} before use.
     */
    int settingsVersion();

    /**
     * JSON Schema (draft 2020-12) of this tab's settings document, so REST, the shell and the web console can draw and
     * check the tab without knowing the plugin. {@link #validate} stays the authority: it also checks what a schema
     * cannot say.
     */
    String settingsSchema();

    /** Whether a machine must boot its Deploy-OS to carry out this type (backup, restore, OS install, HW setting). */
    boolean needsDeployOs();

    /**
     * Checks the settings of this tab.
     *
     * @return every problem found, empty when the settings are valid
     */
    List<SettingViolation> validate(Map<String, Object> settings);

    /** Brings settings written by {@code fromVersion} of this plugin up to {@link #settingsVersion()}. */
    default Map<String, Object> migrateSettings(int fromVersion, Map<String, Object> settings) {
        return settings;
    }

    /**
     * The ordered steps that carry out valid settings on one machine. Called by the core off its own threads, under
     * a time bound and outside any transaction; it must not block.
     */
    List<Step> plan(Map<String, Object> settings, PlanTarget target);

    /**
     * What these settings write that two machines must not share, named for the administrator (for a backup, the
     * image name when no machine name, MAC or UUID is appended to it), or empty. The core refuses to run a scenario
     * with such a tab on several machines at once, naming the scenario and this (EXE-10).
     */
    default Optional<String> sharedOutput(Map<String, Object> settings) {
        return Optional.empty();
    }

    /**
     * What these settings do that needs the server's DHCP server, named for the administrator (a multicast restore,
     * NET-4), or empty. The core refuses to execute such a scenario while the server runs without its DHCP server,
     * naming the scenario, this and the setting. Since 2.2.
     */
    default Optional<String> needsDhcpServer(Map<String, Object> settings) {
        return Optional.empty();
    }
}
