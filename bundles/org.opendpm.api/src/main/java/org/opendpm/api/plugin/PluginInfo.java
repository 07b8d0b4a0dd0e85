package org.opendpm.api.plugin;

/**
 * One plugin service and one key it claims.
 *
 * @param kind the kind of plugin
 * @param key the key it claims (scenario type, model or pattern, boot protocol, power control)
 * @param bundle symbolic name of the bundle that registered it
 * @param bundleVersion that bundle's version
 * @param bundleId that bundle's id
 * @param serviceId the service id
 * @param ranking the service ranking
 * @param winner whether it is the one used for this key (highest ranking, then lowest service id)
 */
public record PluginInfo(PluginKind kind, String key, String bundle, String bundleVersion, long bundleId,
        long serviceId, int ranking, boolean winner) {
}
