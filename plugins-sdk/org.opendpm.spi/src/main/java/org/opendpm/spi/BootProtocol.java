package org.opendpm.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A network boot protocol: what a booting client of some kind is sent for a boot intent.
 *
 * <p>Registered with the property {@value #PROPERTY} set to its key, for example {@code pxe-bios}. The core asks
 * every protocol, best ranked first ({@code service.ranking}, then lowest {@code service.id}), whether it
 * {@link #supports} the client, and uses the first that does.
 */
@ConsumerType
public interface BootProtocol {

    /** Service property naming the boot protocol key. */
    String PROPERTY = "opendpm.boot.protocol";

    /** Whether this protocol can boot the client (by its architecture and user class). */
    boolean supports(BootClient client);

    /** The boot file and generated configuration that carry out the intent for the client. */
    BootResponse respond(BootClient client, BootIntent intent);
}
