package org.opendpm.api.scenario;

import java.util.Optional;

/**
 * Whether a scenario can be executed now, as far as the scenario itself decides (the machine's state is the
 * execution engine's business).
 *
 * @param reason why it cannot, e.g. {@code plugin unavailable: os-linux}; empty when it can
 * @param needsDeployOs whether any tab needs the machine to boot its Deploy-OS (EXE-2, EXE-3)
 */
public record Executability(boolean executable, Optional<String> reason, boolean needsDeployOs) {
}
