package org.opendpm.plugin.scenario.hwsetting.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.opendpm.api.hwsetting.HwImageService;
import org.opendpm.spi.SettingViolation;

/** The HW Setting tab's settings: {@code {"image": NAME}}, a registered floppy image or EFI application. */
final class HwSettings {

    static final String IMAGE = "image";
    static final String SCHEMA = """
            {"$schema": "https://json-schema.org/draft/2020-12/schema",
             "title": "HW Setting",
             "type": "object",
             "properties": {
               "image": {"type": "string", "minLength": 1, "maxLength": %d, "pattern": "^[A-Za-z0-9._-]+$",
                         "description": "A registered HW setting image: a floppy image (BIOS) or an EFI application (UEFI)"}
             },
             "required": ["image"],
             "additionalProperties": false}
            """
            .formatted(HwImageService.MAX_NAME);

    private HwSettings() {
    }

    static List<SettingViolation> check(Map<String, ?> settings) {
        List<SettingViolation> out = new ArrayList<>();
        for (String key : settings.keySet()) {
            if (!key.equals(IMAGE)) {
                out.add(new SettingViolation(key, "Unknown setting " + key + "; the HW Setting tab has only image"));
            }
        }
        Object image = settings.get(IMAGE);
        if (!(image instanceof String s) || s.isEmpty()) {
            out.add(new SettingViolation(IMAGE, "image is required: the name of a registered HW setting image"));
        } else if (s.length() > HwImageService.MAX_NAME || !s.matches("[A-Za-z0-9._-]+")) {
            out.add(new SettingViolation(IMAGE, "image names have 1 to " + HwImageService.MAX_NAME
                    + " letters, digits and . _ -"));
        }
        return out;
    }
}
