package org.opendpm.api.inventory;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The inventory of managed machines, kept in the database (INV-1 to INV-10).
 *
 * <p>Limits (INV-1): 1000 groups in total, 20 layers, 40000 managed machines (New Machine entries do not count).
 * Every change checks them inside its own database transaction, serialised with every other inventory change, so
 * concurrent requests cannot pass a limit together; going over one throws
 * {@link org.opendpm.api.ConflictException} naming the limit, and nothing of the request is kept.
 *
 * <p>Errors: bad input {@link org.opendpm.api.ValidationException} naming the field; unknown ids
 * {@link org.opendpm.api.NotFoundException}; a MAC, UUID, machine name or group path already taken
 * {@link org.opendpm.api.ConflictException} naming the holder; no database
 * {@link org.opendpm.api.StoreUnavailableException}.
 */
@ProviderType
public interface InventoryService {

    // ---- groups (INV-1, INV-2, INV-10)

    /** Every group, ordered by path. */
    List<MachineGroup> groups();

    /** The top-level groups with their sub-groups, each level ordered by name. */
    List<GroupNode> groupTree();

    MachineGroup group(long id);

    /** The group at this full path ({@code /Group2/Subgroup21}). */
    Optional<MachineGroup> findGroup(String path);

    /** Creates the group at {@code path}; its parent must exist. */
    MachineGroup createGroup(String path, NetworkSetting network);

    /** Renames a group (its sub-groups' paths follow) and/or changes its network setting; empty keeps the value. */
    MachineGroup updateGroup(long id, Optional<String> name, Optional<NetworkSetting> network);

    /** Moves a group with everything in it under another group, or to the top level when {@code newParentId} is empty. */
    MachineGroup moveGroup(long id, Optional<Long> newParentId);

    /**
     * Deletes a group. Without {@code recursive} the group must be empty (no sub-groups, no machines); with it, its
     * sub-groups and all their machines go too.
     */
    void deleteGroup(long id, boolean recursive);

    // ---- machines (INV-3, INV-6, INV-10)

    MachinePage machines(MachineQuery query);

    Machine machine(long id);

    /** The machine of this name, letter case ignored (names are unique in the inventory). */
    Optional<Machine> findMachine(String name);

    /** Machine names starting with {@code prefix} (case ignored), sorted, at most {@code limit}: for completion. */
    List<String> machineNames(String prefix, int limit);

    /** Registers a machine in a group (INV-6); a MAC that was listed under New Machine leaves that list. */
    Machine createMachine(long groupId, MachineSpec spec);

    /** Replaces a machine's editable data (name, NICs, UUID, IP, model, Deploy-OS); the group stays. */
    Machine updateMachine(long id, MachineSpec spec);

    void deleteMachine(long id);

    /** Moves machines to a group, all or none; returns how many moved. */
    int moveMachines(List<Long> machineIds, long groupId);

    /** Records the power state found by power control or the agent. */
    void setPowerState(long machineId, PowerState state);

    /** Records the status set by scenario execution. */
    void setStatus(long machineId, MachineStatus status);

    // ---- disks (IMG-4)

    /**
     * Replaces the machine's disks with what a disk check found, in one transaction. Refused whole with
     * {@link org.opendpm.api.ValidationException} naming the field ({@code disks[1].partitions[0].sizeBytes}): disk
     * numbers unique and from 1, partition numbers unique per disk and from 1, sizes and offsets 0 or more,
     * partitions within their disk, partition table {@code gpt}, {@code mbr}, {@code none} (then no partitions) or
     * {@code unreadable} (likewise), at most {@value #MAX_DISKS} disks and {@value #MAX_PARTITIONS} partitions per
     * disk; {@link org.opendpm.api.NotFoundException} for an unknown machine.
     */
    void recordDisks(long machineId, List<DiskInfo> disks, Instant scannedAt);

    /** The machine's disks from its last disk check; {@link MachineDisks#never} when it was never scanned. */
    MachineDisks disks(long machineId);

    /** Most disks one machine's disk check may record. */
    int MAX_DISKS = 64;

    /** Most partitions one disk may have in a record (GPT's usual 128 entries, twice). */
    int MAX_PARTITIONS = 256;

    // ---- New Machine (INV-4, INV-7, INV-8)

    /**
     * Called by network boot and the agent for every machine they see. An unknown machine is listed under New
     * Machine, once per MAC: seen again, its entry takes the newer data. When the agent sees it and
     * {@code GroupAsName.ini} (by name, first) or {@code GroupAsIp.ini} (by IP) names a group, it is registered
     * there instead, creating missing groups; if that registration is refused (a limit, a name taken) it stays under
     * New Machine and the reason is logged. Safe to call concurrently.
     */
    SeenResult registerSeen(SeenMachine seen);

    /** {@link #registerSeen(SeenMachine)} for network boot when {@code ip} is empty, for the agent otherwise. */
    default SeenResult registerSeen(String mac, String uuid, Optional<String> ip) {
        return registerSeen(new SeenMachine(ip.isPresent() ? SeenBy.AGENT : SeenBy.NETWORK_BOOT, mac,
                Optional.ofNullable(uuid), ip, Optional.empty()));
    }

    /** The New Machine list, most recently seen first. */
    List<NewMachine> newMachines();

    /** Registers New Machines into a group in one transaction (all or none), INV-4. */
    List<Machine> registerNewMachines(long groupId, List<NewMachineRegistration> machines);

    /** Removes an entry from the New Machine list. */
    void deleteNewMachine(long id);

    // ---- rule files (INV-5, INV-7, INV-8)

    /**
     * What the network boot does with a machine it has just registered (INV-5): by the current
     * {@code forceskip.ini}, re-read when it changed; without the file every machine boots its local OS.
     */
    BootDecision bootDecision(String mac);

    /** The file's text as saved; empty when there is no file (for forceskip.ini that means the default {@code *}). */
    Optional<String> ruleFile(RuleFile file);

    /**
     * Checks the whole text strictly and saves it atomically; a file with any bad line is refused with
     * {@link InvalidFileException} listing every bad line, and the old file stays.
     */
    RuleFileSaved saveRuleFile(RuleFile file, String content);

    // ---- import and export (INV-9)

    /**
     * Imports the CSV (columns {@code group_path,name,macs,uuid,ip,model,deploy_os}) in one transaction: every row,
     * creating missing groups, or nothing. Every bad row is reported at once ({@link InvalidFileException}); rows
     * that clash with registered machines are reported likewise; passing a limit is a
     * {@link org.opendpm.api.ConflictException}.
     */
    ImportResult importCsv(String content);

    /** Every machine in the import format, ordered by group path and name; imports back unchanged. */
    String exportCsv();
}
