package org.opendpm.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import org.junit.Test;
import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.GroupNode;
import org.opendpm.api.inventory.MachineGroup;
import org.opendpm.api.inventory.MachineSpec;
import org.opendpm.api.inventory.NetworkSetting;

/** INV-1, INV-2, INV-10: groups by id and path, network settings, limits, rename, move, delete. */
public class GroupsTest {

    private final InventoryFixture fx = new InventoryFixture(new Limits(6, 3, 10));
    private final JdbcInventoryService inv = fx.service;

    @Test
    public void nestedGroupsAreFoundByIdAndPathAndFormATree() {
        MachineGroup g2 = inv.createGroup("/Group2", NetworkSetting.SAME_SUBNET);
        MachineGroup sub = inv.createGroup("/Group2/Subgroup21",
                NetworkSetting.differentSubnet("192.168.1.1", "255.255.0.0"));
        inv.createGroup("/Group1", null);
        assertThat(sub.path()).isEqualTo("/Group2/Subgroup21");
        assertThat(sub.depth()).isEqualTo(2);
        assertThat(sub.parentId()).contains(g2.id());
        assertThat(inv.group(sub.id()).network()).isEqualTo(NetworkSetting.differentSubnet("192.168.1.1",
                "255.255.0.0"));
        assertThat(inv.findGroup(" /Group2/Subgroup21 ")).map(MachineGroup::id).contains(sub.id());
        assertThat(inv.findGroup("/Group3")).isEmpty();
        List<GroupNode> tree = inv.groupTree();
        assertThat(tree).extracting(n -> n.group().name()).containsExactly("Group1", "Group2");
        assertThat(tree.get(1).children()).extracting(n -> n.group().path()).containsExactly("/Group2/Subgroup21");
        assertThat(inv.groups()).extracting(MachineGroup::path).containsExactly("/Group1", "/Group2",
                "/Group2/Subgroup21");
    }

    @Test
    public void badPathsAndNetworksNameTheFieldAndCreateNothing() {
        assertField(() -> inv.createGroup("Group1", null), "path");
        assertField(() -> inv.createGroup("/a//b", null), "path");
        assertField(() -> inv.createGroup("/New Machine", null), "path");
        assertField(() -> inv.createGroup("/Missing/Child", null), "path");
        assertField(() -> inv.createGroup("/G", NetworkSetting.differentSubnet("192.168.1.300", "255.255.0.0")),
                "network.defaultGateway");
        assertField(() -> inv.createGroup("/G", NetworkSetting.differentSubnet("192.168.1.1", "255.0.255.0")),
                "network.subnetMask");
        assertField(() -> inv.createGroup("/G", NetworkSetting.differentSubnet("192.168.0.0", "255.255.0.0")),
                "network.defaultGateway");
        assertThat(fx.count("machine_group")).isZero();
        inv.createGroup("/G", null);
        assertThatThrownBy(() -> inv.createGroup("/G", null)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("exists");
    }

    @Test
    public void groupAndLayerLimitsAreConflictsNamingTheLimit() {
        inv.createGroup("/a", null);
        inv.createGroup("/a/b", null);
        inv.createGroup("/a/b/c", null);
        assertThatThrownBy(() -> inv.createGroup("/a/b/c/d", null)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("limit of 3 layers");
        inv.createGroup("/x", null);
        inv.createGroup("/y", null);
        inv.createGroup("/z", null);
        assertThatThrownBy(() -> inv.createGroup("/w", null)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("limit of 6 machine groups");
        assertThat(fx.count("machine_group")).isEqualTo(6);
        // Moving /x under /a/b is fine (layer 3); /a under /x would put /a/b/c at layer 4.
        inv.moveGroup(inv.findGroup("/x").orElseThrow().id(), Optional.of(inv.findGroup("/a/b").orElseThrow().id()));
        assertThat(inv.findGroup("/a/b/x")).isPresent();
        assertThatThrownBy(() -> inv.moveGroup(inv.findGroup("/a").orElseThrow().id(),
                Optional.of(inv.findGroup("/y").orElseThrow().id()))).isInstanceOf(ConflictException.class)
                .hasMessageContaining("limit of 3 layers");
        assertThat(inv.findGroup("/a/b/c")).isPresent();
    }

    @Test
    public void renameAndMoveRewriteSubGroupPathsAndKeepMachines() {
        MachineGroup a = inv.createGroup("/A", null);
        MachineGroup b = inv.createGroup("/A/B", null);
        MachineGroup other = inv.createGroup("/Other", null);
        inv.createMachine(b.id(), MachineSpec.of("pc1", "00-50-56-00-00-01"));
        MachineGroup renamed = inv.updateGroup(a.id(), Optional.of("Renamed"),
                Optional.of(NetworkSetting.differentSubnet("10.0.0.1", "255.0.0.0")));
        assertThat(renamed.path()).isEqualTo("/Renamed");
        assertThat(renamed.network().sameSubnet()).isFalse();
        assertThat(inv.group(b.id()).path()).isEqualTo("/Renamed/B");
        assertThat(inv.findMachine("PC1").orElseThrow().groupPath()).isEqualTo("/Renamed/B");
        inv.moveGroup(a.id(), Optional.of(other.id()));
        assertThat(inv.group(b.id()).path()).isEqualTo("/Other/Renamed/B");
        assertThat(inv.group(b.id()).machineCount()).isEqualTo(1);
        assertField(() -> inv.moveGroup(a.id(), Optional.of(b.id())), "parentId");
        assertField(() -> inv.updateGroup(a.id(), Optional.of("a/b"), Optional.empty()), "name");
        inv.createGroup("/B", null);
        assertThatThrownBy(() -> inv.moveGroup(b.id(), Optional.empty())).isInstanceOf(ConflictException.class);
        inv.moveGroup(a.id(), Optional.empty());
        assertThat(inv.group(b.id()).path()).isEqualTo("/Renamed/B");
    }

    @Test
    public void deletingANonEmptyGroupNeedsRecursiveAndThenRemovesEverythingBelow() {
        MachineGroup a = inv.createGroup("/A", null);
        MachineGroup b = inv.createGroup("/A/B", null);
        inv.createMachine(b.id(), MachineSpec.of("pc1", "00:50:56:00:00:01"));
        assertThatThrownBy(() -> inv.deleteGroup(a.id(), false)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("1 sub-groups and 1 machines");
        assertThat(fx.count("machine")).isEqualTo(1);
        inv.deleteGroup(a.id(), true);
        assertThat(fx.count("machine_group")).isZero();
        assertThat(fx.count("machine")).isZero();
        assertThat(fx.count("machine_nic")).isZero();
        assertThatThrownBy(() -> inv.group(a.id())).isInstanceOf(NotFoundException.class);
        MachineGroup empty = inv.createGroup("/Empty", null);
        inv.deleteGroup(empty.id(), false);
        assertThat(inv.groups()).isEmpty();
    }

    static void assertField(Runnable call, String field) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ValidationException.class,
                e -> assertThat(e.field()).isEqualTo(field));
    }
}
