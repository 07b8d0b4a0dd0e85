package org.opendpm.netboot.internal.ports;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.function.Supplier;

import org.opendpm.api.boot.ServerPorts;
import org.opendpm.api.boot.ServerPortsService;
import org.opendpm.netboot.internal.TftpServerComponent;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code Port.ini} in the TFTP root folder, where the guide keeps it (NET-5). Read again when its modification time
 * or size changed; problems are logged once per version of the file, each with its line, and the affected keys keep
 * their defaults. A file that cannot be read at all gives the defaults, logged likewise.
 */
@Component(service = ServerPortsService.class)
public final class PortsComponent implements ServerPortsService {

    public static final String FILE_NAME = "Port.ini";
    private static final Logger LOG = LoggerFactory.getLogger(PortsComponent.class);

    private record Loaded(Path file, FileTime modified, long size, ServerPorts ports) {
    }

    private final Supplier<Path> folder;
    private volatile Loaded loaded;

    @Activate
    public PortsComponent(@Reference TftpServerComponent tftp) {
        this(tftp::rootFolder);
    }

    /** For tests; not public, so that SCR sees one constructor of one argument, the {@code @Activate} one. */
    PortsComponent(Supplier<Path> folder) {
        this.folder = folder;
    }

    @Override
    public ServerPorts ports() {
        Path file = folder.get().resolve(FILE_NAME);
        FileTime modified;
        long size;
        try {
            modified = Files.getLastModifiedTime(file);
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            return remember(file, null, -1, ServerPorts.DEFAULTS, () -> LOG.info("No {}: default ports {}", file,
                    ServerPorts.DEFAULTS));
        } catch (IOException e) {
            return remember(file, null, -2, ServerPorts.DEFAULTS, () -> LOG.warn("{} cannot be read ({}); default"
                    + " ports {}", file, e.toString(), ServerPorts.DEFAULTS));
        }
        Loaded l = loaded;
        if (l != null && l.file().equals(file) && Objects.equals(l.modified(), modified) && l.size() == size) {
            return l.ports();
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            return remember(file, modified, size, ServerPorts.DEFAULTS, () -> LOG.warn("{} is not UTF-8 text;"
                    + " default ports {}", file, ServerPorts.DEFAULTS));
        } catch (IOException e) {
            return remember(file, modified, size, ServerPorts.DEFAULTS, () -> LOG.warn("{} cannot be read ({});"
                    + " default ports {}", file, e.toString(), ServerPorts.DEFAULTS));
        }
        PortIni.Parsed parsed = PortIni.parse(text);
        return remember(file, modified, size, parsed.ports(), () -> {
            for (PortIni.Problem p : parsed.problems()) {
                LOG.warn("Bad value in {} {}", file, p);
            }
            LOG.info("Ports from {}: {}", file, parsed.ports());
        });
    }

    /** Keeps the result and logs only when it differs from the one kept, so a missing file is not logged per call. */
    private synchronized ServerPorts remember(Path file, FileTime modified, long size, ServerPorts ports,
            Runnable log) {
        Loaded l = loaded;
        if (l == null || !l.file().equals(file) || !Objects.equals(l.modified(), modified) || l.size() != size) {
            log.run();
            loaded = new Loaded(file, modified, size, ports);
        }
        return ports;
    }
}
