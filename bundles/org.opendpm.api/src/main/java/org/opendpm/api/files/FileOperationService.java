package org.opendpm.api.files;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;

import org.opendpm.api.agent.RemoteFile;
import org.osgi.annotation.versioning.ProviderType;

/**
 * File distribution (FIL-1, FIL-2). Files to send live in the server's file folder ({@code <data>/files} by default),
 * a jail: a name is one plain file name, never a path. Send and delete are recorded as file operations that finish
 * in the background; their results form the File Operation Result List.
 *
 * <p>Errors: a bad name, folder or permissions {@link org.opendpm.api.ValidationException} naming the field; unknown
 * machine, operation or server file {@link org.opendpm.api.NotFoundException}; no connected agent
 * {@link org.opendpm.api.agent.AgentUnavailableException}; no database
 * {@link org.opendpm.api.StoreUnavailableException}.
 */
@ProviderType
public interface FileOperationService {

    /** Longest accepted file name, in characters. */
    int MAX_NAME = 255;

    /** The files of the server's file folder, by name. */
    List<ServerFile> serverFiles();

    /** Stores a file in the server's file folder (written to a temporary file, then renamed over an older one). */
    ServerFile storeServerFile(String name, InputStream content);

    /** Removes a file from the server's file folder; {@code false} when there was none. */
    boolean deleteServerFile(String name);

    /**
     * Sends a server file into a folder on each machine (FIL-1).
     *
     * @param permissions three octal digits ({@code 640})
     * @return one running operation per machine, in the order of the request
     */
    List<FileOperation> send(List<Long> machineIds, String serverFile, String targetFolder, String permissions,
            String requestedBy);

    /** Deletes one file on the machine. */
    FileOperation delete(long machineId, String path, String requestedBy);

    /** Lists a folder on the machine, waiting for the agent's answer (at most 30 s). */
    List<RemoteFile> list(long machineId, String folder);

    FileOperation operation(long id);

    /** The File Operation Result List (FIL-2), newest first, optionally of one machine. */
    List<FileOperation> operations(Optional<Long> machineId, int offset, int limit);
}
