package org.opendpm.plugin.scenario.hwsetting.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** {@code etc/org.opendpm.hwsetting.cfg}. */
@ObjectClassDefinition(name = "OpenDPM HW setting")
public @interface HwSettingConfig {

    String PID = "org.opendpm.hwsetting";

    @AttributeDefinition(name = "Server URL", description = "The URL machines reach this server's HTTP port at, for"
            + " example http://192.0.2.1:8181; the images are fetched from it. Required for HW setting scenarios.")
    String serverUrl() default "";

    @AttributeDefinition(name = "memdisk", description = "syslinux's memdisk below the boot root, which boots"
            + " floppy images on BIOS machines")
    String memdisk() default "memdisk";
}
