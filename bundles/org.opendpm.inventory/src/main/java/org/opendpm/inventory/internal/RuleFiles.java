package org.opendpm.inventory.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import org.opendpm.api.inventory.FileProblem;
import org.opendpm.api.inventory.InvalidFileException;
import org.opendpm.api.inventory.RuleFile;
import org.opendpm.api.inventory.RuleFileSaved;
import org.opendpm.inventory.internal.rules.ForceSkipRules;
import org.opendpm.inventory.internal.rules.GroupAsIpRules;
import org.opendpm.inventory.internal.rules.GroupAsNameRules;
import org.opendpm.inventory.internal.rules.ParseResult;
import org.opendpm.inventory.internal.rules.Problem;
import org.opendpm.inventory.internal.rules.RuleText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rule files in {@code <data>/inventory/}, parsed and cached.
 *
 * <p>Each use checks the file's modification time, size and file key (one {@code stat}) and re-parses only when one
 * changed. That is chosen over a WatchService thread: decisions are rare (one per network boot or agent start), a
 * stat costs microseconds, there is no thread to start and stop with the component, and an edit by any means (an
 * editor, a copy, our own save) is picked up at the next use. A file read from disk is used leniently: each bad line
 * is logged with its number and skipped. A file saved through the API is checked strictly first.
 */
final class RuleFiles {

    private static final Logger LOG = LoggerFactory.getLogger(RuleFiles.class);

    /** What a file held when last read; {@code stamp} is null for a missing file. */
    private record Cached(Object stamp, Object rules) {
    }

    private record Stamp(FileTime modified, long size, Object key) {
    }

    private final Path dir;
    private final Map<RuleFile, Cached> cache = new EnumMap<>(RuleFile.class);

    RuleFiles(Path dir) {
        this.dir = Objects.requireNonNull(dir, "dir");
    }

    Path path(RuleFile file) {
        return dir.resolve(file.fileName());
    }

    ForceSkipRules forceSkip() {
        return (ForceSkipRules) current(RuleFile.FORCESKIP);
    }

    GroupAsNameRules groupAsName() {
        return (GroupAsNameRules) current(RuleFile.GROUP_AS_NAME);
    }

    GroupAsIpRules groupAsIp() {
        return (GroupAsIpRules) current(RuleFile.GROUP_AS_IP);
    }

    private synchronized Object current(RuleFile file) {
        Path path = path(file);
        Stamp stamp;
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            stamp = new Stamp(a.lastModifiedTime(), a.size(), a.fileKey());
        } catch (NoSuchFileException e) {
            stamp = null;
        } catch (IOException e) {
            LOG.error("Cannot read {}: {}; using its default", path, e.toString());
            stamp = null;
        }
        Cached cached = cache.get(file);
        if (cached != null && Objects.equals(cached.stamp(), stamp)) {
            return cached.rules();
        }
        Object rules = stamp == null ? defaults(file) : load(file, path);
        cache.put(file, new Cached(stamp, rules));
        return rules;
    }

    private static Object defaults(RuleFile file) {
        return switch (file) {
        case FORCESKIP -> ForceSkipRules.DEFAULT;
        case GROUP_AS_NAME -> GroupAsNameRules.EMPTY;
        case GROUP_AS_IP -> GroupAsIpRules.EMPTY;
        };
    }

    private static Object load(RuleFile file, Path path) {
        String text;
        try {
            text = RuleText.decodeUtf8(Files.readAllBytes(path));
        } catch (IOException | IllegalArgumentException e) {
            // forceskip's default lets every machine boot its own OS, the harmless choice when the file is unusable.
            LOG.error("Cannot use {}: {}; using its default until it is fixed", path, e.getMessage());
            return defaults(file);
        }
        ParseResult<?> result = parser(file).apply(text);
        for (Problem p : result.problems()) {
            if (p.isError()) {
                LOG.warn("{} line {} skipped: {}", path, p.line(), p);
            } else {
                LOG.info("{} line {}: {}", path, p.line(), p);
            }
        }
        LOG.info("Read {}: {} rules", path, count(file, result.value()));
        return result.value();
    }

    private static Function<String, ParseResult<?>> parser(RuleFile file) {
        return switch (file) {
        case FORCESKIP -> ForceSkipRules::parse;
        case GROUP_AS_NAME -> GroupAsNameRules::parse;
        case GROUP_AS_IP -> GroupAsIpRules::parse;
        };
    }

    private static int count(RuleFile file, Object rules) {
        return switch (file) {
        case FORCESKIP -> ((ForceSkipRules) rules).patterns().size();
        case GROUP_AS_NAME -> ((GroupAsNameRules) rules).rules().size();
        case GROUP_AS_IP -> ((GroupAsIpRules) rules).rules().size();
        };
    }

    Optional<String> read(RuleFile file) {
        try {
            return Optional.of(RuleText.decodeUtf8(Files.readAllBytes(path(file))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + path(file), e);
        }
    }

    /** Checks strictly (every bad line reported, nothing written), then replaces the file atomically. */
    synchronized RuleFileSaved save(RuleFile file, String content) {
        ParseResult<?> result = parser(file).apply(content);
        if (result.hasErrors()) {
            throw new InvalidFileException(file.fileName(), problems(result.errors()));
        }
        Path target = path(file);
        try {
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, file.fileName(), ".tmp");
            try {
                Files.writeString(temp, content, StandardCharsets.UTF_8);
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + target, e);
        }
        cache.remove(file);
        LOG.info("Saved {}: {} rules", target, count(file, result.value()));
        return new RuleFileSaved(file, count(file, result.value()), problems(result.warnings()));
    }

    static List<FileProblem> problems(List<Problem> problems) {
        return problems.stream().map(p -> new FileProblem(p.line(), p.field(), p.message(), !p.isError())).toList();
    }
}
