package org.opendpm.api.scenario;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Scenario groups, scenarios and their assignment to machines, kept in the database (SCN-1 to SCN-5).
 *
 * <p>Limits (SCN-1): 1000 scenario groups in total ("Built-in Scenarios" included) and 20 layers; scenarios per
 * group and in total are unlimited. Every change runs in one transaction serialised with every other scenario
 * change, so concurrent requests cannot pass a limit or assign two scenarios to one machine together; going over a
 * limit throws {@link org.opendpm.api.ConflictException} naming it, and nothing of the request is kept.
 *
 * <p>The group "Built-in Scenarios" and its scenarios (SCN-4) are created with the schema. The group cannot be
 * renamed or deleted and takes no other groups or scenarios; its scenarios cannot be changed or deleted.
 *
 * <p>Errors: bad input {@link org.opendpm.api.ValidationException} naming the field (a tab's setting as
 * {@code tabs.<type>.<field>}); unknown ids {@link org.opendpm.api.NotFoundException}; duplicates, limits, protected
 * built-ins and scenarios still assigned {@link org.opendpm.api.ConflictException}; no database
 * {@link org.opendpm.api.StoreUnavailableException}.
 */
@ProviderType
public interface ScenarioService {

    /** The group that holds the built-in scenarios (SCN-4). */
    String BUILT_IN_GROUP = "Built-in Scenarios";

    // ---- groups (SCN-1)

    /** Every scenario group, ordered by path. */
    List<ScenarioGroup> groups();

    /** The top-level groups with their sub-groups, each level ordered by name. */
    List<ScenarioGroupNode> groupTree();

    ScenarioGroup group(long id);

    /** The group at this full path ({@code /Linux/Web}). */
    Optional<ScenarioGroup> findGroup(String path);

    /** Creates the group at {@code path}; its parent must exist. */
    ScenarioGroup createGroup(String path);

    /** Renames a group; its sub-groups' paths follow. */
    ScenarioGroup renameGroup(long id, String name);

    /** Deletes an empty group (no sub-groups, no scenarios). */
    void deleteGroup(long id);

    // ---- scenarios (SCN-2, SCN-3, SCN-4)

    /** Every scenario, or those directly in one group, ordered by name. */
    List<Scenario> scenarios(Optional<Long> groupId);

    Scenario scenario(long id);

    /** The scenario of this name, letter case ignored. */
    Optional<Scenario> findScenario(String name);

    /** Scenario names starting with {@code prefix} (case ignored), sorted, at most {@code limit}: for completion. */
    List<String> scenarioNames(String prefix, int limit);

    /** Creates a scenario; every tab is validated by its plugin, which must be present. */
    Scenario createScenario(ScenarioSpec spec);

    /** Replaces a scenario's name, group, tabs and options; validated as on creation. */
    Scenario updateScenario(long id, ScenarioSpec spec);

    /** Deletes a scenario that is assigned to no machine. */
    void deleteScenario(long id);

    /** Whether the scenario can be executed, and why not: a tab's plugin may have gone since it was saved. */
    Executability executability(long id);

    // ---- assignment (SCN-5)

    /**
     * Assigns the scenario to each machine (inventory ids), replacing what each had; all or none.
     *
     * @return the machines' assignments, ordered by machine name
     */
    List<Assignment> assign(long scenarioId, List<Long> machineIds);

    /** Removes a machine's assignment; returns whether it had one. */
    boolean unassign(long machineId);

    /** The scenario assigned to the machine, if any. */
    Optional<Assignment> assignment(long machineId);

    /** The machines the scenario is assigned to, ordered by machine name. */
    List<Assignment> assignments(long scenarioId);

    /**
     * The assignments of those of the machines that have one, by machine id: a machine list shows each row's scenario
     * with one call per page. Ids of no machine or of a machine without a scenario are not in the map.
     */
    Map<Long, Assignment> assignmentsOf(Collection<Long> machineIds);
}
