package org.opendpm.api.os;

import java.nio.file.Path;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Answer files (OSI-2): a kickstart, preseed or autoinstall per machine, rendered from the template of the operating
 * system's type with the machine's data. Templates are files in the template folder an administrator edits; a
 * template that does not parse, or uses a variable that does not exist, is refused with a
 * {@link org.opendpm.api.ValidationException} (field {@code template}) naming the file and line.
 */
@ProviderType
public interface AnswerFileService {

    /** The folder the templates are read from. */
    Path templateFolder();

    /** Parses the template of a type and renders it for a sample machine; throws naming the line at fault. */
    void checkTemplate(OsType type);

    /** One machine's answer file. */
    AnswerFile render(long operatingSystemId, MachineInstall machine);

    /** Several machines' answer files at once, all or none. */
    List<AnswerFile> render(long operatingSystemId, List<MachineInstall> machines);

    /**
     * Offline mode: renders the machines' answer files and writes each as {@code <folder>/<machine>/<file name>};
     * returns the files written. All are rendered before any is written.
     */
    List<Path> write(long operatingSystemId, List<MachineInstall> machines, Path folder);
}
