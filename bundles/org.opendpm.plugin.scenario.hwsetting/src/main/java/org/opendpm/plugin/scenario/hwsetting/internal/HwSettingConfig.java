package org.opendpm.plugin.scenario.hwsetting.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** {@code etc/org.opendpm.hwsetting.cfg}. */
@ObjectClassDefinition(name = "OpenDPM HW setting")
public @interface HwSettingConfig {

    String PID = "org.opendpm.hwsetting";

    @AttributeDefinition(name = "Server URL", description = "The URL machines fetch the images from, for example"
            + " http://192.0.2.1:8181, when it differs from what network boot finds (NAT, a reverse proxy); empty ="
            + " the address the machine's network boot came to, see docs/hw-setting.md")
    String serverUrl() default "";

    @AttributeDefinition(name = "memdisk", description = "syslinux's memdisk below the boot root, which boots"
            + " floppy images on BIOS machines")
    String memdisk() default "memdisk";
}
