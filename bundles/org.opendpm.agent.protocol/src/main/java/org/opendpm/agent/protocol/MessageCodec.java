package org.opendpm.agent.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonGenerator;

import org.opendpm.agent.protocol.Message.Ack;
import org.opendpm.agent.protocol.Message.Cancel;
import org.opendpm.agent.protocol.Message.ChunkRange;
import org.opendpm.agent.protocol.Message.Command;
import org.opendpm.agent.protocol.Message.CommandResult;
import org.opendpm.agent.protocol.Message.ConnectionError;
import org.opendpm.agent.protocol.Message.DeleteFile;
import org.opendpm.agent.protocol.Message.DiskArea;
import org.opendpm.agent.protocol.Message.DiskGeometry;
import org.opendpm.agent.protocol.Message.DiskInventory;
import org.opendpm.agent.protocol.Message.Disks;
import org.opendpm.agent.protocol.Message.ErrorAnswer;
import org.opendpm.agent.protocol.Message.FileBegin;
import org.opendpm.agent.protocol.Message.FileEnd;
import org.opendpm.agent.protocol.Message.FolderListing;
import org.opendpm.agent.protocol.Message.Heartbeat;
import org.opendpm.agent.protocol.Message.Extent;
import org.opendpm.agent.protocol.Message.Hello;
import org.opendpm.agent.protocol.Message.ImageBegin;
import org.opendpm.agent.protocol.Message.ImageChunk;
import org.opendpm.agent.protocol.Message.ImageEnd;
import org.opendpm.agent.protocol.Message.ImageRead;
import org.opendpm.agent.protocol.Message.ImageWrite;
import org.opendpm.agent.protocol.Message.ImageWriteEnd;
import org.opendpm.agent.protocol.Message.ImageWriteReady;
import org.opendpm.agent.protocol.Message.ImageWriteResult;
import org.opendpm.agent.protocol.Message.ImageWritten;
import org.opendpm.agent.protocol.Message.ListFolder;
import org.opendpm.agent.protocol.Message.MulticastEnd;
import org.opendpm.agent.protocol.Message.MulticastJoin;
import org.opendpm.agent.protocol.Message.MulticastJoined;
import org.opendpm.agent.protocol.Message.MulticastProgress;
import org.opendpm.agent.protocol.Message.MulticastResult;
import org.opendpm.agent.protocol.Message.Power;
import org.opendpm.agent.protocol.Message.PackageInstall;
import org.opendpm.agent.protocol.Message.PackageResult;
import org.opendpm.agent.protocol.Message.PackageStage;
import org.opendpm.agent.protocol.Message.PackageStaged;
import org.opendpm.agent.protocol.Message.PrepareMaster;
import org.opendpm.agent.protocol.Message.Progress;
import org.opendpm.agent.protocol.Message.ReadDiskArea;
import org.opendpm.agent.protocol.Message.ReadStream;
import org.opendpm.agent.protocol.Message.Register;
import org.opendpm.agent.protocol.Message.Registered;
import org.opendpm.agent.protocol.Message.StreamBegin;
import org.opendpm.agent.protocol.Message.StreamCredit;
import org.opendpm.agent.protocol.Message.StreamEnd;
import org.opendpm.agent.protocol.Message.Welcome;
import org.opendpm.agent.protocol.Message.WriteDiskArea;
import org.opendpm.agent.protocol.ProtocolException.Reason;

/**
 * The one JSON mapping of control payloads. Reading ignores members it does not know (a newer peer may send more)
 * and refuses a missing or wrongly typed required member with a {@link ProtocolException} naming it; absent and
 * {@code null} are the same for optional members. Writing puts {@code type} first, then {@code id}, then the members
 * in the order of the record, and leaves out empty optional members, so the bytes of a message are always the same
 * (the golden vectors in this module's tests pin them).
 */
public final class MessageCodec {

    /** Bounds on lists, checked before anything is built from them. */
    static final int MAX_MACS = 64;
    static final int MAX_ENTRIES = 100_000;
    static final int MAX_DISKS = 256;
    static final int MAX_PARTITIONS = 256;
    static final int MAX_PARAMETERS = 32;
    static final int MAX_DISK_NUMBER = 65535;

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern RESUME_KEY = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** An IP address literal (dotted IPv4, or IPv6 in hex and colons), so that reading it never asks a resolver. */
    private static final Pattern IP_LITERAL = Pattern.compile(
            "(\\d{1,3}\\.){3}\\d{1,3}|[0-9a-fA-F:]{2,39}|[0-9a-fA-F:]{2,29}(\\d{1,3}\\.){3}\\d{1,3}");
    /** Multicast block sizes (docs/multicast.md, "DATA"). */
    private static final int MIN_BLOCK_SIZE = 512;
    private static final int MAX_BLOCK_SIZE = 8192;
    private static final long MAX_MEMBER = 0xffff_ffffL;
    /** The drop bound of a multicast session: 10 s to 30 min (docs/multicast.md). */
    private static final long MIN_DROP_SECONDS = 10;
    private static final long MAX_DROP_SECONDS = 1800;
    /** The longest base64 text of {@link Message#MAX_AREA_BYTES}, checked before decoding. */
    private static final int MAX_AREA_BASE64 = (Message.MAX_AREA_BYTES + 2) / 3 * 4;

    /** The JSON {@code type} of every record; {@code error} is both {@link ErrorAnswer} and {@link ConnectionError}. */
    private static final Map<Class<?>, String> TYPES = Map.ofEntries(Map.entry(Register.class, "register"),
            Map.entry(Hello.class, "hello"), Map.entry(Registered.class, "registered"),
            Map.entry(Welcome.class, "welcome"), Map.entry(Heartbeat.class, "heartbeat"),
            Map.entry(ConnectionError.class, "error"), Map.entry(Command.class, "command"),
            Map.entry(Power.class, "power"), Map.entry(FileBegin.class, "fileBegin"),
            Map.entry(DeleteFile.class, "deleteFile"), Map.entry(ListFolder.class, "listFolder"),
            Map.entry(ReadStream.class, "readStream"), Map.entry(DiskInventory.class, "diskInventory"),
            Map.entry(FileEnd.class, "fileEnd"), Map.entry(Cancel.class, "cancel"),
            Map.entry(StreamCredit.class, "streamCredit"), Map.entry(Progress.class, "progress"),
            Map.entry(StreamBegin.class, "streamBegin"), Map.entry(CommandResult.class, "commandResult"),
            Map.entry(Ack.class, "ack"), Map.entry(FolderListing.class, "folderListing"),
            Map.entry(Disks.class, "disks"), Map.entry(StreamEnd.class, "streamEnd"),
            Map.entry(ErrorAnswer.class, "error"), Map.entry(ReadDiskArea.class, "readDiskArea"),
            Map.entry(DiskArea.class, "diskArea"), Map.entry(WriteDiskArea.class, "writeDiskArea"),
            Map.entry(ImageRead.class, "imageRead"), Map.entry(ImageBegin.class, "imageBegin"),
            Map.entry(ImageChunk.class, "imageChunk"), Map.entry(ImageEnd.class, "imageEnd"),
            Map.entry(ImageWrite.class, "imageWrite"), Map.entry(ImageWriteReady.class, "imageWriteReady"),
            Map.entry(ImageWritten.class, "imageWritten"), Map.entry(ImageWriteEnd.class, "imageWriteEnd"),
            Map.entry(ImageWriteResult.class, "imageWriteResult"), Map.entry(PrepareMaster.class, "prepareMaster"),
            Map.entry(MulticastJoin.class, "multicastJoin"), Map.entry(MulticastJoined.class, "multicastJoined"),
            Map.entry(MulticastProgress.class, "multicastProgress"), Map.entry(MulticastEnd.class, "multicastEnd"),
            Map.entry(MulticastResult.class, "multicastResult"), Map.entry(PackageStage.class, "packageStage"),
            Map.entry(PackageStaged.class, "packageStaged"), Map.entry(PackageInstall.class, "packageInstall"),
            Map.entry(PackageResult.class, "packageResult"));

    private MessageCodec() {
    }

    /** The JSON {@code type} of a message, for logs and error messages. */
    public static String type(Message message) {
        return TYPES.get(message.getClass());
    }

    /** The JSON {@code type} of a message class. */
    public static String type(Class<? extends Message> messageClass) {
        return TYPES.get(messageClass);
    }

    public static Message decode(ByteBuffer payload) throws ProtocolException {
        if (payload.hasArray()) {
            return decode(payload.array(), payload.arrayOffset() + payload.position(), payload.remaining());
        }
        byte[] copy = new byte[payload.remaining()]; // bounded by the frame limit checked before
        payload.duplicate().get(copy);
        return decode(copy, 0, copy.length);
    }

    public static Message decode(byte[] payload, int offset, int length) throws ProtocolException {
        JsonObject raw = JsonObject.parse(payload, offset, length);
        Optional<String> t = raw.optionalString("type");
        if (t.isEmpty()) {
            throw new ProtocolException(Reason.BAD_MEMBER, "type", "message has no string member 'type'");
        }
        String type = t.get();
        JsonObject m = raw.named(type);
        try {
            return decode(type, m);
        } catch (ProtocolException e) {
            if (e.reason() == Reason.BAD_MEMBER && e.requestId().isEmpty() && idOfUnknown(m) >= 0) {
                // The peer may answer that request with an error and keep the connection.
                throw new ProtocolException(e.reason(), e.member().orElse(null), e.getMessage(), idOfUnknown(m));
            }
            throw e;
        }
    }

    private static Message decode(String type, JsonObject m) throws ProtocolException {
        switch (type) {
        case "register":
            return new Register(m.string("mac"), m.optionalString("credential"), strings(m, "macs", MAX_MACS),
                    m.optionalString("uuid"), m.optionalString("ip"), m.optionalString("hostName"),
                    m.optionalString("os").orElse(""), m.optionalString("agentVersion").orElse(""),
                    m.optionalBool("deployOs"), protocol(m));
        case "hello":
            return hello(m);
        case "registered":
            return new Registered(m.string("credential"));
        case "welcome":
            return new Welcome(m.int32("heartbeatSeconds"), resumeKey(m));
        case "heartbeat":
            return new Heartbeat();
        case "error": {
            String code = m.optionalString("code").orElse(ErrorAnswer.FAILED);
            String message = m.optionalString("message").orElse("");
            long id = m.optionalInteger("id", -1);
            return id >= 0 ? new ErrorAnswer(id, code, message) : new ConnectionError(code, message);
        }
        case "command":
            return new Command(m.integer("id"), m.string("commandLine"), m.integer("timeoutSeconds"));
        case "power":
            return new Power(m.integer("id"), m.string("action"));
        case "prepareMaster":
            return prepareMaster(m);
        case "fileBegin":
            return new FileBegin(m.integer("id"), m.integer("transferId"), m.string("folder"), m.string("name"),
                    m.integer("size"), m.string("sha256"), m.optionalString("permissions"));
        case "deleteFile":
            return new DeleteFile(m.integer("id"), m.string("path"));
        case "listFolder":
            return new ListFolder(m.integer("id"), m.string("path"));
        case "readStream":
            return new ReadStream(m.integer("id"), m.integer("transferId"), m.string("source"),
                    m.stringMap("parameters", MAX_PARAMETERS), m.integer("windowBytes"));
        case "diskInventory":
            return new DiskInventory(m.integer("id"));
        case "fileEnd":
            return new FileEnd(m.integer("id"), m.integer("transferId"));
        case "cancel":
            return new Cancel(m.integer("id"));
        case "streamCredit":
            return new StreamCredit(m.integer("id"), m.integer("bytes"));
        case "progress":
            return new Progress(m.integer("id"), m.integer("done"), m.integer("total"), m.string("unit"));
        case "streamBegin":
            return new StreamBegin(m.integer("id"), m.integer("size"));
        case "commandResult":
            return new CommandResult(m.integer("id"), m.int32("exitCode"), m.optionalString("output").orElse(""));
        case "ack":
            return new Ack(m.integer("id"));
        case "folderListing":
            return listing(m);
        case "disks":
            return disks(m);
        case "streamEnd":
            return new StreamEnd(m.integer("id"), m.integer("bytes"), m.string("sha256"));
        case "readDiskArea":
            return new ReadDiskArea(m.integer("id"), disk(m, "disk"), m.integer("offset", 0, Long.MAX_VALUE),
                    (int) m.integer("length", 1, Message.MAX_AREA_BYTES));
        case "diskArea":
            return new DiskArea(m.integer("id"), area(m));
        case "writeDiskArea":
            return new WriteDiskArea(m.integer("id"), disk(m, "disk"), m.integer("offset", 0, Long.MAX_VALUE),
                    area(m));
        case "imageRead":
            return imageRead(m);
        case "imageBegin":
            return new ImageBegin(m.integer("id"), geometries(m));
        case "imageChunk":
            return imageChunk(m);
        case "imageEnd":
            return new ImageEnd(m.integer("id"), m.integer("chunks", 0, Long.MAX_VALUE),
                    m.integer("storedBytes", 0, Long.MAX_VALUE));
        case "imageWrite":
            return imageWrite(m);
        case "imageWriteReady":
            return new ImageWriteReady(m.integer("id"));
        case "imageWritten":
            return new ImageWritten(m.integer("id"), m.integer("chunks", 0, Long.MAX_VALUE),
                    m.integer("bytes", 0, Long.MAX_VALUE));
        case "imageWriteEnd":
            return new ImageWriteEnd(m.integer("id"));
        case "imageWriteResult":
            return imageWriteResult(m);
        case "multicastJoin":
            return multicastJoin(m);
        case "multicastJoined":
            return new MulticastJoined(m.integer("id"));
        case "multicastProgress":
            return new MulticastProgress(m.integer("id"), ranges(m, "confirmed", Long.MAX_VALUE, false),
                    m.integer("bytes", 0, Long.MAX_VALUE));
        case "multicastEnd":
            return new MulticastEnd(m.integer("id"));
        case "multicastResult": {
            ImageWriteResult r = imageWriteResult(m);
            return new MulticastResult(r.id(), r.chunks(), r.bytesWritten(), r.compared(), r.mismatches());
        }
        case "packageStage":
            return new PackageStage(m.integer("id"), m.string("name"));
        case "packageStaged":
            return new PackageStaged(m.integer("id"), m.string("folder"));
        case "packageInstall":
            return packageInstall(m);
        case "packageResult": {
            String output = m.optionalString("output").orElse("");
            if (output.length() > Message.MAX_PACKAGE_OUTPUT) {
                throw m.invalid("output", "has " + output.length() + " characters, more than "
                        + Message.MAX_PACKAGE_OUTPUT);
            }
            return new PackageResult(m.integer("id"), m.int32("exitCode"), output,
                    m.integer("millis", 0, Long.MAX_VALUE));
        }
        default:
            throw new ProtocolException(Reason.UNKNOWN_TYPE, null, "unknown message type '"
                    + JsonObject.clip(type) + "'", idOfUnknown(m));
        }
    }

    private static long idOfUnknown(JsonObject m) {
        try {
            return m.optionalInteger("id", -1);
        } catch (ProtocolException e) {
            return -1;
        }
    }

    private static int protocol(JsonObject m) throws ProtocolException {
        long v = m.optionalInteger("protocol", 1);
        if (v < 1 || v > 1000) {
            throw new ProtocolException(Reason.BAD_MEMBER, "protocol", "'" + m.context() + "' member 'protocol' "
                    + v + " is out of range");
        }
        return (int) v;
    }

    private static Hello hello(JsonObject m) throws ProtocolException {
        String mac = m.string("mac");
        boolean deployOs = m.optionalBool("deployOs");
        Optional<String> credential;
        Optional<String> token;
        Optional<String> resumeKey = resumeKey(m);
        if (deployOs && resumeKey.isPresent()) {
            credential = m.optionalString("credential");
            token = m.optionalString("token");
            if (token.isPresent()) {
                throw m.invalid("resumeKey", "and 'token' are both given; a Deploy-OS hello carries one");
            }
        } else if (deployOs) {
            credential = m.optionalString("credential");
            token = Optional.of(m.string("token"));
        } else {
            credential = Optional.of(m.string("credential"));
            token = m.optionalString("token");
        }
        return new Hello(mac, credential, token, m.optionalString("uuid"), m.optionalString("ip"),
                m.optionalString("hostName"), m.optionalString("os").orElse(""),
                m.optionalString("agentVersion").orElse(""), deployOs, m.optionalString("powerState").orElse("on"),
                protocol(m), deployOs ? resumeKey : Optional.empty(), startId(m));
    }

    private static Optional<String> startId(JsonObject m) throws ProtocolException {
        Optional<String> id = m.optionalString("startId");
        if (id.isPresent() && !Hello.START_ID.matcher(id.get()).matches()) {
            throw m.invalid("startId", "is not 8 to 64 base64url characters");
        }
        return id;
    }

    private static PrepareMaster prepareMaster(JsonObject m) throws ProtocolException {
        long id = m.integer("id");
        String system = m.string("system");
        if (!PrepareMaster.SYSTEMS.contains(system)) {
            throw m.invalid("system", "'" + JsonObject.clip(system) + "' is not one of "
                    + String.join(", ", PrepareMaster.SYSTEMS));
        }
        return new PrepareMaster(id, system);
    }

    private static PackageInstall packageInstall(JsonObject m) throws ProtocolException {
        long id = m.integer("id");
        String folder = m.string("folder");
        String installer = m.string("installer");
        if (!PackageInstall.INSTALLERS.contains(installer)) {
            throw m.invalid("installer", "'" + JsonObject.clip(installer) + "' is not one of "
                    + String.join(", ", PackageInstall.INSTALLERS));
        }
        List<String> files = strings(m, "files", Message.MAX_PACKAGE_FILES);
        if (files.isEmpty()) {
            throw m.invalid("files", "is empty");
        }
        Optional<String> command = m.optionalString("command");
        if (installer.equals(PackageInstall.SCRIPT) != command.isPresent()) {
            throw m.invalid("command", installer.equals(PackageInstall.SCRIPT)
                    ? "is missing for a script"
                    : "is given for installer " + installer);
        }
        long timeout = m.integer("timeoutSeconds", 1, Message.MAX_PACKAGE_SECONDS);
        return new PackageInstall(id, folder, installer, files, command, timeout);
    }

    private static Optional<String> resumeKey(JsonObject m) throws ProtocolException {
        Optional<String> key = m.optionalString("resumeKey");
        if (key.isPresent() && !RESUME_KEY.matcher(key.get()).matches()) {
            // The key itself is never repeated: it is a secret.
            throw m.invalid("resumeKey", "is not 43 base64url characters");
        }
        return key;
    }

    private static int disk(JsonObject m, String member) throws ProtocolException {
        return (int) m.integer(member, 1, MAX_DISK_NUMBER);
    }

    private static byte[] area(JsonObject m) throws ProtocolException {
        String text = m.string("data");
        if (text.length() > MAX_AREA_BASE64) {
            throw m.invalid("data", "has " + text.length() + " base64 characters, more than the "
                    + MAX_AREA_BASE64 + " of " + Message.MAX_AREA_BYTES + " bytes");
        }
        byte[] data;
        try {
            data = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw m.invalid("data", "is not base64: " + e.getMessage());
        }
        if (data.length < 1 || data.length > Message.MAX_AREA_BYTES) {
            throw m.invalid("data", "holds " + data.length + " bytes, not 1 to " + Message.MAX_AREA_BYTES);
        }
        return data;
    }

    private static int chunkSize(JsonObject m) throws ProtocolException {
        long v = m.integer("chunkSize");
        if (v < Message.MIN_CHUNK_SIZE || v > Message.MAX_CHUNK_SIZE || Long.bitCount(v) != 1) {
            throw m.invalid("chunkSize", v + " is not a power of two from " + Message.MIN_CHUNK_SIZE + " to "
                    + Message.MAX_CHUNK_SIZE);
        }
        return (int) v;
    }

    private static ImageRead imageRead(JsonObject m) throws ProtocolException {
        List<Object> a = m.array("extents", Message.MAX_EXTENTS, false);
        if (a.isEmpty()) {
            throw m.invalid("extents", "is empty");
        }
        List<Extent> extents = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            JsonObject e = m.element("extents", a, i);
            long offset = e.integer("offset", 0, Long.MAX_VALUE);
            extents.add(new Extent(disk(e, "disk"), offset, e.integer("length", 1, Long.MAX_VALUE - offset)));
        }
        int chunkSize = chunkSize(m);
        return new ImageRead(m.integer("id"), m.integer("transferId"), extents, chunkSize,
                (int) m.integer("compressionLevel", 1, 19), m.integer("fromChunk", 0, Long.MAX_VALUE),
                m.integer("windowBytes", chunkSize + Message.CHUNK_COST, Long.MAX_VALUE));
    }

    private static List<DiskGeometry> geometries(JsonObject m) throws ProtocolException {
        List<Object> a = m.array("disks", Message.MAX_IMAGE_DISKS, false);
        if (a.isEmpty()) {
            throw m.invalid("disks", "is empty");
        }
        List<DiskGeometry> disks = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            JsonObject d = m.element("disks", a, i);
            long sector = d.integer("sectorSize", 512, 65536);
            if (Long.bitCount(sector) != 1) {
                throw d.invalid("sectorSize", sector + " is not a power of two");
            }
            disks.add(new DiskGeometry(disk(d, "number"), d.integer("sizeBytes", 1, Long.MAX_VALUE), (int) sector));
        }
        return disks;
    }

    /**
     * zstd's ZSTD_COMPRESSBOUND: no chunk of {@code length} bytes is stored in more. Public for the multicast packets,
     * which bound a chunk's stored length by the same rule.
     */
    public static long storedBound(long length) {
        return length + (length >> 8) + (length < 128 * 1024 ? (128 * 1024 - length) >> 11 : 0);
    }

    private static ImageChunk imageChunk(JsonObject m) throws ProtocolException {
        long id = m.integer("id");
        long chunk = m.integer("chunk", 0, Long.MAX_VALUE);
        int disk = disk(m, "disk");
        long diskOffset = m.integer("diskOffset", 0, Long.MAX_VALUE);
        int length = (int) m.integer("length", 1, Message.MAX_CHUNK_SIZE);
        boolean hole = m.bool("hole");
        int stored = (int) m.integer("storedLength", 0, storedBound(length));
        int crc = (int) m.integer("crc32c", 0, 0xffff_ffffL);
        String sha = m.string("sha256");
        if (!SHA256.matcher(sha).matches()) {
            throw m.invalid("sha256", "'" + JsonObject.clip(sha) + "' is not 64 lower-case hex digits");
        }
        if (hole && (stored != 0 || crc != 0 || !sha.equals(ImageChunk.HOLE_SHA256))) {
            throw m.invalid("hole", "is true but the chunk has stored bytes, a CRC or a SHA-256");
        }
        if (!hole && stored == 0) {
            throw m.invalid("storedLength", "is 0 for a chunk that is not a hole");
        }
        return new ImageChunk(id, chunk, disk, diskOffset, length, hole, stored, crc, sha);
    }

    private static ImageWrite imageWrite(JsonObject m) throws ProtocolException {
        List<DiskGeometry> disks = geometries(m);
        int chunkSize = chunkSize(m);
        long chunks = m.integer("chunks", 0, Long.MAX_VALUE);
        return new ImageWrite(m.integer("id"), m.integer("transferId"), disks, chunkSize,
                m.integer("fromChunk", 0, chunks), chunks, m.bool("compare"),
                m.integer("windowBytes", chunkSize + Message.CHUNK_COST, Long.MAX_VALUE));
    }

    private static ImageWriteResult imageWriteResult(JsonObject m) throws ProtocolException {
        List<Object> a = m.array("mismatches", ImageWriteResult.MAX_MISMATCHES, true);
        List<ImageWriteResult.Mismatch> mismatches = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            JsonObject e = m.element("mismatches", a, i);
            mismatches.add(new ImageWriteResult.Mismatch(e.integer("chunk", 0, Long.MAX_VALUE), disk(e, "disk"),
                    e.integer("diskOffset", 0, Long.MAX_VALUE)));
        }
        return new ImageWriteResult(m.integer("id"), m.integer("chunks", 0, Long.MAX_VALUE),
                m.integer("bytesWritten", 0, Long.MAX_VALUE), m.bool("compared"), mismatches);
    }

    private static MulticastJoin multicastJoin(JsonObject m) throws ProtocolException {
        long id = m.integer("id");
        long transferId = m.integer("transferId");
        long sessionId = m.integer("sessionId", 1, Long.MAX_VALUE);
        String image = m.string("image");
        if (!UUID_TEXT.matcher(image).matches()) {
            throw m.invalid("image", "'" + JsonObject.clip(image) + "' is not a lower-case UUID");
        }
        long member = m.integer("member", 1, MAX_MEMBER);
        String group = m.string("group");
        if (!IP_LITERAL.matcher(group).matches()) {
            throw m.invalid("group", "'" + JsonObject.clip(group) + "' is not an IP address");
        }
        int port = (int) m.integer("port", 1, 65535);
        int blockSize = (int) m.integer("blockSize", MIN_BLOCK_SIZE, MAX_BLOCK_SIZE);
        List<DiskGeometry> disks = geometries(m);
        int chunkSize = chunkSize(m);
        long chunks = m.integer("chunks", 1, Message.MAX_MULTICAST_CHUNKS);
        int crc = (int) m.integer("indexCrc32c", 0, 0xffff_ffffL);
        List<ChunkRange> confirmed = ranges(m, "confirmed", chunks, true);
        return new MulticastJoin(id, transferId, sessionId, UUID.fromString(image), member, group, port, blockSize,
                disks, chunkSize, chunks, crc, confirmed, m.bool("compare"),
                (int) m.integer("dropSeconds", MIN_DROP_SECONDS, MAX_DROP_SECONDS));
    }

    /**
     * A list of chunk ranges {@code [[first,last],…]}: at most {@link Message#MAX_RANGES}, each inside
     * {@code [0, chunks)}, ascending and not overlapping; empty only when {@code mayBeEmpty}.
     */
    private static List<ChunkRange> ranges(JsonObject m, String member, long chunks, boolean mayBeEmpty)
            throws ProtocolException {
        List<Object> a = m.array(member, Message.MAX_RANGES, false);
        if (a.isEmpty() && !mayBeEmpty) {
            throw m.invalid(member, "is empty");
        }
        List<ChunkRange> out = new ArrayList<>(a.size());
        long next = 0;
        for (int i = 0; i < a.size(); i++) {
            if (!(a.get(i) instanceof List<?> pair) || pair.size() != 2 || !(pair.get(0) instanceof Long first)
                    || !(pair.get(1) instanceof Long last)) {
                throw m.invalid(member, "element " + i + " is not a pair of integers");
            }
            if (first < next || last < first || last >= chunks) {
                throw m.invalid(member, "element " + i + " [" + first + "," + last + "] is not a range from "
                        + next + " below " + chunks + " (ranges are ascending and do not overlap)");
            }
            out.add(new ChunkRange(first, last));
            next = last + 1;
        }
        return out;
    }

    private static List<String> strings(JsonObject m, String member, int max) throws ProtocolException {
        List<Object> a = m.array(member, max, true);
        List<String> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            out.add(m.stringElement(member, a, i));
        }
        return out;
    }

    private static FolderListing listing(JsonObject m) throws ProtocolException {
        List<Object> a = m.array("entries", MAX_ENTRIES, false);
        List<FolderListing.Entry> entries = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            JsonObject e = m.element("entries", a, i);
            String text = e.string("modified");
            Instant modified;
            try {
                modified = Instant.parse(text);
            } catch (DateTimeParseException x) {
                throw new ProtocolException(Reason.BAD_MEMBER, "modified", "'" + e.context() + "' member 'modified' '"
                        + JsonObject.clip(text) + "' is not an ISO-8601 instant");
            }
            entries.add(new FolderListing.Entry(e.string("name"), e.bool("directory"), e.integer("size"), modified,
                    e.optionalString("permissions").orElse("")));
        }
        return new FolderListing(m.integer("id"), entries, m.optionalBool("truncated"));
    }

    private static Disks disks(JsonObject m) throws ProtocolException {
        List<Object> a = m.array("disks", MAX_DISKS, false);
        List<Disks.Disk> disks = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            JsonObject d = m.element("disks", a, i);
            List<Object> pa = d.array("partitions", MAX_PARTITIONS, false);
            List<Disks.Partition> parts = new ArrayList<>(pa.size());
            for (int j = 0; j < pa.size(); j++) {
                JsonObject p = d.element("partitions", pa, j);
                parts.add(new Disks.Partition(p.int32("number"), p.integer("startBytes"), p.integer("sizeBytes"),
                        p.string("type"), p.optionalString("filesystem").orElse("")));
            }
            disks.add(new Disks.Disk(d.int32("number"), d.string("device"), d.integer("sizeBytes"),
                    d.string("partitionTable"), d.optionalString("model").orElse(""), parts,
                    d.optionalString("problem").orElse("")));
        }
        return new Disks(m.integer("id"), disks);
    }

    // ---------------------------------------------------------------- writing

    /** The JSON payload of a control frame. */
    public static byte[] encode(Message message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = JsonObject.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            write(g, message);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + message.getClass().getSimpleName(), e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, Message message) throws IOException {
        if (message instanceof Register r) {
            g.writeStringField("type", type(r));
            g.writeStringField("mac", r.mac());
            optional(g, "credential", r.credential());
            g.writeArrayFieldStart("macs");
            for (String mac : r.macs()) {
                g.writeString(mac);
            }
            g.writeEndArray();
            identity(g, r.uuid(), r.ip(), r.hostName(), r.os(), r.agentVersion(), r.deployOs());
            g.writeNumberField("protocol", r.protocol());
        } else if (message instanceof Hello h) {
            g.writeStringField("type", type(h));
            g.writeStringField("mac", h.mac());
            optional(g, "credential", h.credential());
            optional(g, "token", h.token());
            identity(g, h.uuid(), h.ip(), h.hostName(), h.os(), h.agentVersion(), h.deployOs());
            g.writeStringField("powerState", h.powerState());
            g.writeNumberField("protocol", h.protocol());
            optional(g, "resumeKey", h.resumeKey());
            optional(g, "startId", h.startId());
        } else if (message instanceof Registered r) {
            g.writeStringField("type", type(r));
            g.writeStringField("credential", r.credential());
        } else if (message instanceof Welcome w) {
            g.writeStringField("type", type(w));
            g.writeNumberField("heartbeatSeconds", w.heartbeatSeconds());
            optional(g, "resumeKey", w.resumeKey());
        } else if (message instanceof Heartbeat) {
            g.writeStringField("type", type(message));
        } else if (message instanceof ConnectionError e) {
            g.writeStringField("type", type(e));
            g.writeStringField("code", e.code());
            g.writeStringField("message", e.message());
        } else if (message instanceof Message.Request r) {
            writeRequest(g, r);
        } else if (message instanceof Message.Answer a) {
            writeAnswer(g, a);
        } else {
            writeEvent(g, (Message.Event) message);
        }
    }

    private static void writeRequest(JsonGenerator g, Message.Request request) throws IOException {
        if (request instanceof Command c) {
            head(g, c, c.id());
            g.writeStringField("commandLine", c.commandLine());
            g.writeNumberField("timeoutSeconds", c.timeoutSeconds());
        } else if (request instanceof Power p) {
            head(g, p, p.id());
            g.writeStringField("action", p.action());
        } else if (request instanceof PrepareMaster p) {
            head(g, p, p.id());
            g.writeStringField("system", p.system());
        } else if (request instanceof FileBegin f) {
            head(g, f, f.id());
            g.writeNumberField("transferId", f.transferId());
            g.writeStringField("folder", f.folder());
            g.writeStringField("name", f.name());
            g.writeNumberField("size", f.size());
            g.writeStringField("sha256", f.sha256());
            optional(g, "permissions", f.permissions());
        } else if (request instanceof DeleteFile d) {
            head(g, d, d.id());
            g.writeStringField("path", d.path());
        } else if (request instanceof ListFolder l) {
            head(g, l, l.id());
            g.writeStringField("path", l.path());
        } else if (request instanceof ReadStream r) {
            head(g, r, r.id());
            g.writeNumberField("transferId", r.transferId());
            g.writeStringField("source", r.source());
            g.writeObjectFieldStart("parameters");
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(r.parameters()).entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("windowBytes", r.windowBytes());
        } else if (request instanceof DiskInventory d) {
            head(g, d, d.id());
        } else if (request instanceof ReadDiskArea r) {
            head(g, r, r.id());
            g.writeNumberField("disk", r.disk());
            g.writeNumberField("offset", r.offset());
            g.writeNumberField("length", r.length());
        } else if (request instanceof WriteDiskArea w) {
            head(g, w, w.id());
            g.writeNumberField("disk", w.disk());
            g.writeNumberField("offset", w.offset());
            g.writeStringField("data", Base64.getEncoder().encodeToString(w.data()));
        } else if (request instanceof ImageRead r) {
            head(g, r, r.id());
            g.writeNumberField("transferId", r.transferId());
            g.writeArrayFieldStart("extents");
            for (Extent e : r.extents()) {
                g.writeStartObject();
                g.writeNumberField("disk", e.disk());
                g.writeNumberField("offset", e.offset());
                g.writeNumberField("length", e.length());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("chunkSize", r.chunkSize());
            g.writeNumberField("compressionLevel", r.compressionLevel());
            g.writeNumberField("fromChunk", r.fromChunk());
            g.writeNumberField("windowBytes", r.windowBytes());
        } else if (request instanceof ImageWrite w) {
            head(g, w, w.id());
            g.writeNumberField("transferId", w.transferId());
            geometries(g, w.disks());
            g.writeNumberField("chunkSize", w.chunkSize());
            g.writeNumberField("fromChunk", w.fromChunk());
            g.writeNumberField("chunks", w.chunks());
            g.writeBooleanField("compare", w.compare());
            g.writeNumberField("windowBytes", w.windowBytes());
        } else if (request instanceof PackageStage p) {
            head(g, p, p.id());
            g.writeStringField("name", p.name());
        } else if (request instanceof PackageInstall p) {
            head(g, p, p.id());
            g.writeStringField("folder", p.folder());
            g.writeStringField("installer", p.installer());
            g.writeArrayFieldStart("files");
            for (String f : p.files()) {
                g.writeString(f);
            }
            g.writeEndArray();
            optional(g, "command", p.command());
            g.writeNumberField("timeoutSeconds", p.timeoutSeconds());
        } else if (request instanceof MulticastJoin j) {
            head(g, j, j.id());
            g.writeNumberField("transferId", j.transferId());
            g.writeNumberField("sessionId", j.sessionId());
            g.writeStringField("image", j.image().toString());
            g.writeNumberField("member", j.member());
            g.writeStringField("group", j.group());
            g.writeNumberField("port", j.port());
            g.writeNumberField("blockSize", j.blockSize());
            geometries(g, j.disks());
            g.writeNumberField("chunkSize", j.chunkSize());
            g.writeNumberField("chunks", j.chunks());
            g.writeNumberField("indexCrc32c", Integer.toUnsignedLong(j.indexCrc32c()));
            ranges(g, "confirmed", j.confirmed());
            g.writeBooleanField("compare", j.compare());
            g.writeNumberField("dropSeconds", j.dropSeconds());
        }
    }

    private static void ranges(JsonGenerator g, String member, List<ChunkRange> ranges) throws IOException {
        g.writeArrayFieldStart(member);
        for (ChunkRange r : ranges) {
            g.writeStartArray();
            g.writeNumber(r.first());
            g.writeNumber(r.last());
            g.writeEndArray();
        }
        g.writeEndArray();
    }

    private static void mismatches(JsonGenerator g, List<ImageWriteResult.Mismatch> mismatches) throws IOException {
        g.writeArrayFieldStart("mismatches");
        for (ImageWriteResult.Mismatch x : mismatches) {
            g.writeStartObject();
            g.writeNumberField("chunk", x.chunk());
            g.writeNumberField("disk", x.disk());
            g.writeNumberField("diskOffset", x.diskOffset());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void writeAnswer(JsonGenerator g, Message.Answer answer) throws IOException {
        if (answer instanceof CommandResult c) {
            head(g, c, c.id());
            g.writeNumberField("exitCode", c.exitCode());
            g.writeStringField("output", c.output());
        } else if (answer instanceof Ack a) {
            head(g, a, a.id());
        } else if (answer instanceof PackageStaged p) {
            head(g, p, p.id());
            g.writeStringField("folder", p.folder());
        } else if (answer instanceof PackageResult p) {
            head(g, p, p.id());
            g.writeNumberField("exitCode", p.exitCode());
            g.writeStringField("output", p.output());
            g.writeNumberField("millis", p.millis());
        } else if (answer instanceof FolderListing l) {
            head(g, l, l.id());
            g.writeArrayFieldStart("entries");
            for (FolderListing.Entry e : l.entries()) {
                g.writeStartObject();
                g.writeStringField("name", e.name());
                g.writeBooleanField("directory", e.directory());
                g.writeNumberField("size", e.size());
                g.writeStringField("modified", e.modified().toString());
                if (!e.permissions().isEmpty()) {
                    g.writeStringField("permissions", e.permissions());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            if (l.truncated()) {
                g.writeBooleanField("truncated", true);
            }
        } else if (answer instanceof Disks d) {
            head(g, d, d.id());
            g.writeArrayFieldStart("disks");
            for (Disks.Disk disk : d.disks()) {
                g.writeStartObject();
                g.writeNumberField("number", disk.number());
                g.writeStringField("device", disk.device());
                g.writeNumberField("sizeBytes", disk.sizeBytes());
                g.writeStringField("partitionTable", disk.partitionTable());
                g.writeStringField("model", disk.model());
                g.writeArrayFieldStart("partitions");
                for (Disks.Partition p : disk.partitions()) {
                    g.writeStartObject();
                    g.writeNumberField("number", p.number());
                    g.writeNumberField("startBytes", p.startBytes());
                    g.writeNumberField("sizeBytes", p.sizeBytes());
                    g.writeStringField("type", p.type());
                    g.writeStringField("filesystem", p.filesystem());
                    g.writeEndObject();
                }
                g.writeEndArray();
                if (!disk.problem().isEmpty()) {
                    g.writeStringField("problem", disk.problem());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        } else if (answer instanceof StreamEnd s) {
            head(g, s, s.id());
            g.writeNumberField("bytes", s.bytes());
            g.writeStringField("sha256", s.sha256());
        } else if (answer instanceof ErrorAnswer e) {
            head(g, e, e.id());
            g.writeStringField("code", e.code());
            g.writeStringField("message", e.message());
        } else if (answer instanceof DiskArea a) {
            head(g, a, a.id());
            g.writeStringField("data", Base64.getEncoder().encodeToString(a.data()));
        } else if (answer instanceof ImageEnd e) {
            head(g, e, e.id());
            g.writeNumberField("chunks", e.chunks());
            g.writeNumberField("storedBytes", e.storedBytes());
        } else if (answer instanceof ImageWriteResult r) {
            head(g, r, r.id());
            g.writeNumberField("chunks", r.chunks());
            g.writeNumberField("bytesWritten", r.bytesWritten());
            g.writeBooleanField("compared", r.compared());
            mismatches(g, r.mismatches());
        } else if (answer instanceof MulticastResult r) {
            head(g, r, r.id());
            g.writeNumberField("chunks", r.chunks());
            g.writeNumberField("bytesWritten", r.bytesWritten());
            g.writeBooleanField("compared", r.compared());
            mismatches(g, r.mismatches());
        }
    }

    private static void writeEvent(JsonGenerator g, Message.Event event) throws IOException {
        if (event instanceof FileEnd f) {
            head(g, f, f.id());
            g.writeNumberField("transferId", f.transferId());
        } else if (event instanceof Cancel c) {
            head(g, c, c.id());
        } else if (event instanceof StreamCredit c) {
            head(g, c, c.id());
            g.writeNumberField("bytes", c.bytes());
        } else if (event instanceof Progress p) {
            head(g, p, p.id());
            g.writeNumberField("done", p.done());
            g.writeNumberField("total", p.total());
            g.writeStringField("unit", p.unit());
        } else if (event instanceof StreamBegin s) {
            head(g, s, s.id());
            g.writeNumberField("size", s.size());
        } else if (event instanceof ImageBegin b) {
            head(g, b, b.id());
            geometries(g, b.disks());
        } else if (event instanceof ImageChunk c) {
            head(g, c, c.id());
            g.writeNumberField("chunk", c.chunk());
            g.writeNumberField("disk", c.disk());
            g.writeNumberField("diskOffset", c.diskOffset());
            g.writeNumberField("length", c.length());
            g.writeBooleanField("hole", c.hole());
            g.writeNumberField("storedLength", c.storedLength());
            g.writeNumberField("crc32c", Integer.toUnsignedLong(c.crc32c()));
            g.writeStringField("sha256", c.sha256());
        } else if (event instanceof ImageWriteReady r) {
            head(g, r, r.id());
        } else if (event instanceof ImageWritten w) {
            head(g, w, w.id());
            g.writeNumberField("chunks", w.chunks());
            g.writeNumberField("bytes", w.bytes());
        } else if (event instanceof ImageWriteEnd e) {
            head(g, e, e.id());
        } else if (event instanceof MulticastJoined j) {
            head(g, j, j.id());
        } else if (event instanceof MulticastProgress p) {
            head(g, p, p.id());
            ranges(g, "confirmed", p.confirmed());
            g.writeNumberField("bytes", p.bytes());
        } else if (event instanceof MulticastEnd e) {
            head(g, e, e.id());
        } else {
            throw new IllegalArgumentException("no encoding for " + event);
        }
    }

    private static void geometries(JsonGenerator g, List<DiskGeometry> disks) throws IOException {
        g.writeArrayFieldStart("disks");
        for (DiskGeometry d : disks) {
            g.writeStartObject();
            g.writeNumberField("number", d.number());
            g.writeNumberField("sizeBytes", d.sizeBytes());
            g.writeNumberField("sectorSize", d.sectorSize());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void head(JsonGenerator g, Message message, long id) throws IOException {
        g.writeStringField("type", type(message));
        g.writeNumberField("id", id);
    }

    private static void identity(JsonGenerator g, Optional<String> uuid, Optional<String> ip,
            Optional<String> hostName, String os, String agentVersion, boolean deployOs) throws IOException {
        optional(g, "uuid", uuid);
        optional(g, "ip", ip);
        optional(g, "hostName", hostName);
        g.writeStringField("os", os);
        g.writeStringField("agentVersion", agentVersion);
        g.writeBooleanField("deployOs", deployOs);
    }

    private static void optional(JsonGenerator g, String member, Optional<String> value) throws IOException {
        if (value.isPresent()) {
            g.writeStringField(member, value.get());
        }
    }
}
