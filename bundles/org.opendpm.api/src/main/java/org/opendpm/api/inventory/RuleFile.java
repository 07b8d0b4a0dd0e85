package org.opendpm.api.inventory;

import java.util.Optional;

/** The rule files in {@code <data>/inventory/} (INV-5, INV-7, INV-8). */
public enum RuleFile {
    FORCESKIP("forceskip.ini"), GROUP_AS_NAME("GroupAsName.ini"), GROUP_AS_IP("GroupAsIp.ini");

    private final String fileName;

    RuleFile(String fileName) {
        this.fileName = fileName;
    }

    public String fileName() {
        return fileName;
    }

    /** The file of this name, letter case ignored. */
    public static Optional<RuleFile> byFileName(String name) {
        for (RuleFile f : values()) {
            if (f.fileName.equalsIgnoreCase(name)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
