package org.opendpm.rest.internal.dto;

import org.opendpm.api.plugin.PluginInfo;

/** A plugin service and one key it claims. */
public record PluginDto(String kind, String key, String bundle, String bundleVersion, long bundleId, long serviceId,
        int ranking, boolean winner) {

    public static PluginDto of(PluginInfo p) {
        return new PluginDto(p.kind().label(), p.key(), p.bundle(), p.bundleVersion(), p.bundleId(), p.serviceId(),
                p.ranking(), p.winner());
    }
}
