package org.opendpm.api.boot;

import org.opendpm.api.ValidationException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The HTTP base URL by which a machine reaches this server, for URLs handed to the machine's firmware, installer or
 * flash tool (answer files, installation sources, floppy and EFI images). Network boot answers it, since it is what
 * knows which address each machine's boot came to.
 *
 * <p>In this order: {@code advertisedAddress} of {@code etc/org.opendpm.netboot.http.cfg}; the address the machine's
 * latest network boot to this server came to (the {@code Host} of its HTTP boot request, else the server address its
 * PXE or HTTP request arrived on, unless loopback or wildcard); the server address on the subnet of the machine's IP
 * address; the server's only address. The port is the server's HTTP port unless the boot request named one. A plugin
 * setting of its own (a {@code serverUrl}, for NAT or a reverse proxy) goes before all of these.
 */
@ProviderType
public interface ServerUrls {

    /**
     * {@code http://HOST[:PORT]} without a trailing slash.
     *
     * @throws ValidationException (field {@code advertisedAddress}) when none of the sources gives an address, with
     *             a message naming the setting to set
     */
    String httpBase(long machineId);
}
