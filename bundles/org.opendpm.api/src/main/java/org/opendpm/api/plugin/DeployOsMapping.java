package org.opendpm.api.plugin;

/**
 * A model or model pattern and the Deploy-OS it boots, as the winning plugin says.
 *
 * @param model exact model name or glob pattern
 * @param pattern whether {@code model} is a pattern
 * @param deployOsId the Deploy-OS id
 * @param bundle the plugin bundle that provides it
 */
public record DeployOsMapping(String model, boolean pattern, String deployOsId, String bundle) {
}
