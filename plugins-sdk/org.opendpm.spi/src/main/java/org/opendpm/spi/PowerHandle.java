package org.opendpm.spi;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/** The machine's power through its {@link PowerDriver}, for one step; the core runs the driver's calls. */
@ProviderType
public interface PowerHandle {

    /** The key of the driver in use for the machine. */
    String driver();

    /** Asks the driver for the machine's power state. */
    CompletionStage<PowerState> state();

    /** Carries out the operation; completes when the driver is done (not when the machine is up). */
    CompletionStage<Void> set(PowerOperation operation);
}
