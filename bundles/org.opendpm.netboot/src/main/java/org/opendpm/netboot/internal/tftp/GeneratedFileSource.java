package org.opendpm.netboot.internal.tftp;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Content the boot code generates per client (pxelinux.cfg/01-&lt;mac&gt;, grub.cfg, iPXE scripts)
 * and the TFTP server serves from memory, before looking at the file system.
 *
 * <p>Called on a network event loop: implementations answer from memory, quickly, and never
 * block. {@code path} has passed the root's lexical checks ({@link FileJail#normalize}): it is
 * relative, uses '/' and contains no '..'. Return empty when the path is not yours.
 */
@FunctionalInterface
public interface GeneratedFileSource {

    Optional<byte[]> generate(String path, InetSocketAddress client);
}
