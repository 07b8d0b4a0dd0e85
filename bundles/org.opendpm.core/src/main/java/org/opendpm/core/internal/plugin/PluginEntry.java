package org.opendpm.core.internal.plugin;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/**
 * A plugin service as the registry sees it.
 *
 * @param service the service object
 * @param keys the keys it claims (values of its selecting property)
 * @param serviceId its {@code service.id}
 * @param ranking its {@code service.ranking}
 * @param bundle symbolic name of the bundle that registered it
 * @param bundleVersion version of that bundle
 * @param bundleId id of that bundle
 */
record PluginEntry<T>(T service, List<String> keys, long serviceId, int ranking, String bundle, String bundleVersion,
        long bundleId) {

    /** Best first: the highest ranking, then the lowest service id (the first registered). */
    static int compareBestFirst(PluginEntry<?> a, PluginEntry<?> b) {
        int byRanking = Integer.compare(b.ranking, a.ranking);
        return byRanking != 0 ? byRanking : Long.compare(a.serviceId, b.serviceId);
    }

    static <T> PluginEntry<T> of(T service, ServiceReference<?> ref, String keyProperty) {
        Bundle b = ref.getBundle();
        return new PluginEntry<>(service, keys(ref.getProperty(keyProperty)),
                (Long) ref.getProperty(Constants.SERVICE_ID), ranking(ref.getProperty(Constants.SERVICE_RANKING)),
                b == null ? "?" : b.getSymbolicName(), b == null ? "?" : b.getVersion().toString(),
                b == null ? -1 : b.getBundleId());
    }

    static <T> PluginEntry<T> of(T service, Map<String, Object> props, String keyProperty, String bundle,
            String bundleVersion, long bundleId) {
        return new PluginEntry<>(service, keys(props.get(keyProperty)), (Long) props.get(Constants.SERVICE_ID),
                ranking(props.get(Constants.SERVICE_RANKING)), bundle, bundleVersion, bundleId);
    }

    static List<String> keys(Object value) {
        if (value instanceof String s) {
            return s.isBlank() ? List.of() : List.of(s.strip());
        }
        if (value instanceof String[] a) {
            return List.of(a).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        }
        if (value instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }
        return List.of();
    }

    static int ranking(Object value) {
        return value instanceof Integer i ? i : 0;
    }
}
