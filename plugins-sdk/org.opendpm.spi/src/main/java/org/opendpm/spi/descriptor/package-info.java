/**
 * The Deploy-OS descriptor: the XML file a vendor bundle names in its {@code OpenDPM-DeployOs-Models} manifest
 * header instead of writing code.
 *
 * <pre>{@code
 * <deployos-models vendor="NEC">
 *   <deployos id="ia32_110331_26" kernel="deployos/ia32_110331_26/vmlinuz" initrd="deployos/ia32_110331_26/initrd.img"
 *             arguments="quiet" architectures="i386 x86_64" ranking="0">
 *     <model>NEC Express5800 002</model>
 *     <pattern>NEC Express5800 1*</pattern>
 *   </deployos>
 * </deployos-models>
 * }</pre>
 */
@Version("1.0.0")
@Export
package org.opendpm.spi.descriptor;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
