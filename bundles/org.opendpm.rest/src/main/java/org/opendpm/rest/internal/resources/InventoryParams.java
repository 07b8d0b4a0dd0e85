package org.opendpm.rest.internal.resources;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.inventory.InventoryService;
import org.opendpm.api.inventory.MachineGroup;

/** Request pieces shared by the inventory resources, each refused with the field named. */
final class InventoryParams {

    private InventoryParams() {
    }

    /**
     * The group a body names by {@code groupId} or {@code groupPath}. An unknown group named in a body is bad input
     * (400 naming the field), not a missing resource.
     */
    static MachineGroup group(InventoryService inventory, Long id, String path) {
        if (id != null && path != null) {
            throw new ValidationException("groupPath", "Give groupId or groupPath, not both");
        }
        if (id != null) {
            try {
                return inventory.group(id);
            } catch (NotFoundException e) {
                throw new ValidationException("groupId", e.getMessage());
            }
        }
        if (path != null) {
            return inventory.findGroup(path)
                    .orElseThrow(() -> new ValidationException("groupPath", "No machine group " + path.strip()));
        }
        throw new ValidationException("groupId", "groupId or groupPath is required");
    }

    static int integer(String field, String value, int fallback, int min, int max) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below with the range
        }
        throw new ValidationException(field, field + " must be a whole number from " + min + " to " + max + ", not '"
                + value + "'");
    }

    static boolean bool(String field, String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        if (!value.equals("true") && !value.equals("false")) {
            throw new ValidationException(field, field + " must be true or false, not '" + value + "'");
        }
        return Boolean.parseBoolean(value);
    }

    static long id(String field, String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new ValidationException(field, field + " must be a group id (a whole number), not '" + value + "'");
        }
    }

    /** The body as strict UTF-8, so a file saved in a legacy code page is refused rather than garbled. */
    static String utf8(InputStream body) {
        byte[] bytes;
        try {
            bytes = body == null ? new byte[0] : body.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ValidationException(null, "The body is not valid UTF-8; save the file as UTF-8");
        }
    }
}
