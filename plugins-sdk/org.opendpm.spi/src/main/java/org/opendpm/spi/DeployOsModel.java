package org.opendpm.spi;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Maps machine models to the Deploy-OS they boot.
 *
 * <p>Registered with the property {@value #PROPERTY}: one or more machine model names (exact, for example
 * {@code NEC Express5800 001}) or glob patterns ({@code *} and {@code ?}, for example {@code NEC Express5800 1*}).
 * A machine's Deploy-OS is resolved in this order: the machine's explicit Deploy-OS setting, then a service whose
 * property equals the model exactly, then one whose pattern matches it, then the server default. Within one step the
 * highest {@code service.ranking} wins, then the lowest {@code service.id}.
 *
 * <p>Most vendors need no code: a bundle with the manifest header {@link #DESCRIPTOR_HEADER} naming an XML
 * descriptor gets one such service per Deploy-OS in the descriptor.
 */
@ConsumerType
public interface DeployOsModel {

    /** Service property: model names and glob patterns this Deploy-OS serves. */
    String PROPERTY = "opendpm.deployos.model";

    /** Manifest header naming a Deploy-OS descriptor inside the bundle. */
    String DESCRIPTOR_HEADER = "OpenDPM-DeployOs-Models";

    /** The Deploy-OS booted by the models in {@link #PROPERTY}. */
    DeployOs deployOs();

    /** Boot protocol keys this model supports, most preferred first; empty means any. */
    default List<String> bootProtocols() {
        return List.of();
    }

    /** Power driver keys this model supports, most preferred first; empty means the server default. */
    default List<String> powerDrivers() {
        return List.of();
    }
}
