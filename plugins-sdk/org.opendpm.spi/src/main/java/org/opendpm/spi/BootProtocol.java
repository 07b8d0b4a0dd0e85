package org.opendpm.spi;

import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A network boot protocol: what a booting client of some kind is sent for a boot intent.
 *
 * <p>Registered with the property {@value #PROPERTY} set to its key, for example {@code pxe-bios}. The core asks
 * every protocol, best ranked first ({@code service.ranking}, then lowest {@code service.id}), whether it
 * {@link #supports} the client, and uses the first that does and can {@link #respond} to the intent.
 */
@ConsumerType
public interface BootProtocol {

    /** Service property naming the boot protocol key. */
    String PROPERTY = "opendpm.boot.protocol";

    /** Whether this protocol can boot the client (by its architecture and user class). */
    boolean supports(BootClient client);

    /**
     * The boot file and generated configuration that carry out the intent for the client, or empty when this
     * protocol cannot carry out that intent (an EFI application on a BIOS client, say); the core then asks the next
     * protocol that supports the client. A protocol never answers an intent it does not know with something else.
     */
    Optional<BootResponse> respond(BootClient client, BootIntent intent);
}
