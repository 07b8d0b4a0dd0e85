package org.opendpm.inventory.internal;

import org.opendpm.inventory.internal.rules.GroupPath;

/**
 * The inventory limits (INV-1). Always {@link #GUIDE} in service; tests pass smaller ones so that the code paths at
 * the limit run in milliseconds (the integration tests use the real numbers).
 */
record Limits(int maxGroups, int maxLayers, int maxMachines) {

    static final Limits GUIDE = new Limits(GroupPath.MAX_GROUPS, GroupPath.MAX_LAYERS, GroupPath.MAX_MACHINES);

    Limits {
        if (maxLayers > GroupPath.MAX_LAYERS) {
            throw new IllegalArgumentException("group paths hold at most " + GroupPath.MAX_LAYERS + " layers");
        }
    }

    String groups() {
        return "the limit of " + maxGroups + " machine groups in total (sub-groups included)";
    }

    String layers() {
        return "the limit of " + maxLayers + " layers of machine groups";
    }

    String machines() {
        return "the limit of " + maxMachines + " managed machines in total";
    }
}
