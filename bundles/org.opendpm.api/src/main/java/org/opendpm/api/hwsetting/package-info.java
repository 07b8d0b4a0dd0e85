/**
 * HW setting (HWS-1, HWS-2): the registered BIOS/firmware update images, floppy disk images booted through memdisk
 * on BIOS machines and EFI applications chain-loaded on UEFI machines ({@link org.opendpm.api.hwsetting.HwImageService}).
 */
@Version("1.0.0")
@Export
package org.opendpm.api.hwsetting;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
