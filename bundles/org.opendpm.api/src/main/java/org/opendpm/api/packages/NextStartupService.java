package org.opendpm.api.packages;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * "Execute At Next Startup" (EXE-11): package scenarios queued for a machine, kept in the database and started, oldest
 * first and one at a time, once the machine's agent connects. At most {@value #MAX_PENDING} wait per machine; more
 * are refused ({@link org.opendpm.api.ConflictException}) until the machine has started and run some.
 */
@ProviderType
public interface NextStartupService {

    /** Most package scenarios waiting for one machine's next startup (the guide's 100). */
    int MAX_PENDING = 100;

    /** The scenario type key of the Package tab; only scenarios with it are queued. */
    String PACKAGE_TAB = "package";

    /** Queues the scenario, which must have a Package tab, for the machine's next startup. */
    PendingRun queue(long machineId, long scenarioId, String by);

    /** What waits for the machine, oldest first. */
    List<PendingRun> pending(long machineId);

    /** Removes one waiting entry of the machine. */
    void cancel(long machineId, long id);
}
