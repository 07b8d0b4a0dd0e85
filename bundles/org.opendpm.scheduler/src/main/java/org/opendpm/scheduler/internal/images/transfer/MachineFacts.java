package org.opendpm.scheduler.internal.images.transfer;

import java.util.Objects;

/**
 * What an image records of a machine and a restore compares (IMG-5).
 *
 * @param id the managed machine's id
 * @param name its name
 * @param mac its primary MAC
 * @param uuid its SMBIOS UUID, empty when unknown
 * @param model its model, empty when unknown
 * @param deployOsId the Deploy-OS it resolves to (explicit, model, pattern, server default)
 */
public record MachineFacts(long id, String name, String mac, String uuid, String model, String deployOsId) {
    public MachineFacts {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(deployOsId, "deployOsId");
    }
}
