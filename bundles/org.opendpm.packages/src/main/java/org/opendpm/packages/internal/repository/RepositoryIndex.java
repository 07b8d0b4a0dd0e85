package org.opendpm.packages.internal.repository;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import org.opendpm.api.ValidationException;
import org.opendpm.api.packages.InstallerKind;
import org.opendpm.api.packages.PackageFile;
import org.opendpm.api.packages.PackageKind;
import org.opendpm.api.packages.PackageService;
import org.opendpm.api.packages.PackageSpec;
import org.opendpm.api.packages.Urgency;
import org.opendpm.packages.internal.registry.PackageChecks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

/**
 * The index of a package repository (PKG-3, docs/package-repository.md): {@code {"format": 1, "packages": [...]}}.
 * The parser reads bytes already bounded by {@link #MAX_BYTES}, streams tokens (no tree), refuses unknown fields,
 * bounds the nesting, every string and every list before it grows, and checks each package by the registry's own
 * rules, so a refused index names its cause and nothing of it is used.
 */
public record RepositoryIndex(List<Entry> packages) {

    /** Largest index, in bytes. */
    public static final int MAX_BYTES = 4 << 20;
    /** Most packages in one index. */
    public static final int MAX_PACKAGES = 4096;
    static final int MAX_STRING = 1024;
    static final int MAX_CODES = 32;
    static final long MAX_FILE_SIZE = 1L << 40;
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_STRING).maxNestingDepth(5)
                    .maxNumberLength(20).maxNameLength(64).build())
            .build();

    /**
     * One package of the index.
     *
     * @param spec what is registered
     * @param files its files, each fetched from {@code files/<sha256>} under the repository's URL
     */
    public record Entry(PackageSpec spec, List<PackageFile> files) {

        public Entry {
            files = List.copyOf(files);
        }

        /** A digest of everything the entry says, so a later download sees whether it changed. */
        public String digest() {
            StringBuilder b = new StringBuilder();
            PackageSpec s = spec;
            for (Object v : List.of(s.name(), s.kind(), s.version(), s.msNumber(), s.displayName(), s.packageId(),
                    s.urgency(), s.installer(), s.command(), s.successCodes(), s.rebootCodes(), s.timeoutMinutes(),
                    s.description())) {
                String text = String.valueOf(v);
                b.append(text.length()).append(':').append(text);
            }
            for (PackageFile f : files) {
                b.append(f.name().length()).append(':').append(f.name()).append(f.size()).append(f.sha256());
            }
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(b.toString().getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK has no SHA-256", e);
            }
        }
    }

    public RepositoryIndex {
        packages = List.copyOf(packages);
    }

    /** Parses an index; {@link ValidationException} (field {@code index}) names what is wrong and where. */
    public static RepositoryIndex parse(byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw bad("it is " + bytes.length + " bytes, more than " + MAX_BYTES);
        }
        try (JsonParser p = JSON.createParser(bytes)) {
            expect(p, JsonToken.START_OBJECT, "the index");
            Integer format = null;
            List<Entry> entries = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                switch (field) {
                case "format" -> format = integer(p, "format");
                case "packages" -> entries = packages(p);
                default -> throw bad("unknown field \"" + field + "\" at the top");
                }
            }
            if (p.nextToken() != null) {
                throw bad("there is more after the index's object");
            }
            if (format == null || format != 1) {
                throw bad("\"format\" must be 1, not " + format);
            }
            if (entries == null) {
                throw bad("\"packages\" is missing");
            }
            return new RepositoryIndex(entries);
        } catch (JsonProcessingException e) {
            throw bad("not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw bad("unreadable: " + e.getMessage());
        }
    }

    private static List<Entry> packages(JsonParser p) throws IOException {
        expect(p, JsonToken.START_ARRAY, "\"packages\"");
        List<Entry> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (out.size() == MAX_PACKAGES) {
                throw bad("more than " + MAX_PACKAGES + " packages");
            }
            Entry e = entry(p, out.size());
            if (!names.add(e.spec().name().toLowerCase(Locale.ROOT))) {
                throw bad("package " + e.spec().name() + " is listed twice");
            }
            out.add(e);
        }
        return out;
    }

    private static Entry entry(JsonParser p, int index) throws IOException {
        String where = "packages[" + index + "]";
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw bad(where + " is not an object");
        }
        String name = null;
        PackageKind kind = null;
        Urgency urgency = null;
        InstallerKind installer = null;
        Optional<String> version = Optional.empty();
        Optional<String> msNumber = Optional.empty();
        Optional<String> displayName = Optional.empty();
        Optional<String> packageId = Optional.empty();
        Optional<String> command = Optional.empty();
        Optional<String> description = Optional.empty();
        List<Integer> success = List.of(0);
        List<Integer> reboot = List.of();
        int timeout = 30;
        List<PackageFile> files = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            String at = where + "." + field;
            switch (field) {
            case "name" -> name = string(p, at);
            case "kind" -> kind = constant(PackageKind.class, string(p, at), at);
            case "urgency" -> urgency = constant(Urgency.class, string(p, at), at);
            case "installer" -> installer = constant(InstallerKind.class, string(p, at), at);
            case "version" -> version = Optional.of(string(p, at));
            case "msNumber" -> msNumber = Optional.of(string(p, at));
            case "displayName" -> displayName = Optional.of(string(p, at));
            case "packageId" -> packageId = Optional.of(string(p, at));
            case "command" -> command = Optional.of(string(p, at));
            case "description" -> description = Optional.of(string(p, at));
            case "successCodes" -> success = codes(p, at);
            case "rebootCodes" -> reboot = codes(p, at);
            case "timeoutMinutes" -> timeout = integer(p, at);
            case "files" -> files = files(p, at);
            default -> throw bad("unknown field \"" + field + "\" in " + where);
            }
        }
        if (name == null || kind == null || urgency == null || installer == null || files == null) {
            throw bad(where + " needs name, kind, urgency, installer and files");
        }
        PackageSpec spec = new PackageSpec(name, kind, version, msNumber, displayName, packageId, urgency, installer,
                command, success, reboot, timeout, description);
        try {
            PackageChecks.check(spec);
        } catch (ValidationException e) {
            throw bad(where + " (" + name + "): " + e.field() + ": " + e.getMessage());
        }
        if (files.isEmpty()) {
            throw bad(where + " (" + name + ") has no files");
        }
        return new Entry(spec, files);
    }

    private static List<PackageFile> files(JsonParser p, String where) throws IOException {
        expect(p, JsonToken.START_ARRAY, where);
        List<PackageFile> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (out.size() == PackageService.MAX_FILES) {
                throw bad(where + " has more than " + PackageService.MAX_FILES + " files");
            }
            String at = where + "[" + out.size() + "]";
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw bad(at + " is not an object");
            }
            String name = null;
            Long size = null;
            String sha = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                switch (field) {
                case "name" -> name = string(p, at + ".name");
                case "size" -> size = longValue(p, at + ".size");
                case "sha256" -> sha = string(p, at + ".sha256");
                default -> throw bad("unknown field \"" + field + "\" in " + at);
                }
            }
            if (name == null || size == null || sha == null) {
                throw bad(at + " needs name, size and sha256");
            }
            try {
                PackageChecks.fileName(name);
            } catch (ValidationException e) {
                throw bad(at + ": " + e.getMessage());
            }
            if (!PackageChecks.SHA256.matcher(sha).matches()) {
                throw bad(at + ".sha256 is not 64 lower-case hex digits");
            }
            if (size < 0 || size > MAX_FILE_SIZE) {
                throw bad(at + ".size " + size + " is not between 0 and " + MAX_FILE_SIZE);
            }
            if (!names.add(name)) {
                throw bad(at + ": file " + name + " is listed twice");
            }
            out.add(new PackageFile(name, size, sha));
        }
        return out;
    }

    private static List<Integer> codes(JsonParser p, String where) throws IOException {
        expect(p, JsonToken.START_ARRAY, where);
        List<Integer> out = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (out.size() == MAX_CODES) {
                throw bad(where + " has more than " + MAX_CODES + " codes");
            }
            out.add(intOf(p, where));
        }
        return out;
    }

    private static void expect(JsonParser p, JsonToken token, String what) throws IOException {
        if (p.nextToken() != token) {
            throw bad(what + " must be " + (token == JsonToken.START_ARRAY ? "an array" : "an object"));
        }
    }

    private static String string(JsonParser p, String where) throws IOException {
        if (p.nextToken() != JsonToken.VALUE_STRING) {
            throw bad(where + " must be a string");
        }
        return p.getText();
    }

    private static int integer(JsonParser p, String where) throws IOException {
        p.nextToken();
        return intOf(p, where);
    }

    private static int intOf(JsonParser p, String where) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
            throw bad(where + " must be a whole number of at most 32 bits");
        }
        return p.getIntValue();
    }

    private static long longValue(JsonParser p, String where) throws IOException {
        if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw bad(where + " must be a whole number");
        }
        return p.getLongValue();
    }

    private static <E extends Enum<E>> E constant(Class<E> type, String value, String where) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(value)) {
                return e;
            }
        }
        throw bad(where + " \"" + value + "\" is none of " + List.of(type.getEnumConstants()));
    }

    static ValidationException bad(String detail) {
        return new ValidationException("index", "The repository's index is refused: " + detail);
    }
}
