package org.opendpm.agent.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;
import org.opendpm.agent.protocol.Message.*;
import org.opendpm.agent.protocol.ProtocolException.Reason;

/**
 * Every message type against its exact bytes in {@code src/test/resources/vectors/good}: decoded to the expected
 * record and encoded back to the same bytes; and the refused frames of {@code vectors/bad}, each with its error.
 */
public class GoldenVectorTest {

    private static final String CREDENTIAL = "A".repeat(43);
    private static final String EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final String RESUME_KEY = "b3BlbkRQTS1yZXN1bWUta2V5LWV4YW1wbGUtMDAwMDA";
    private static final byte[] AREA = "hello, disk".getBytes(StandardCharsets.US_ASCII);

    static Map<String, Message> expected() {
        Map<String, Message> m = new LinkedHashMap<>();
        m.put("register", new Register("00:50:56:aa:bb:cc", Optional.of(CREDENTIAL),
                List.of("00:50:56:aa:bb:cc", "00:50:56:aa:bb:cd"), Optional.of("4c4c4544-0042-3510-8052-b4c04f4e4432"),
                Optional.of("192.0.2.10"), Optional.of("web01"), "Linux 6.1 amd64", "0.1.0", false, 2));
        m.put("hello", new Hello("00:50:56:aa:bb:cc", Optional.of(CREDENTIAL), Optional.empty(), Optional.empty(),
                Optional.of("192.0.2.10"), Optional.of("web01"), "Linux 6.1 amd64", "0.1.0", false, "on", 2));
        m.put("hello-started", new Hello("00:50:56:aa:bb:cc", Optional.of(CREDENTIAL), Optional.empty(),
                Optional.empty(), Optional.of("192.0.2.10"), Optional.of("web01"), "Linux 6.1 amd64", "0.1.0", false,
                "on", 2, Optional.empty(), Optional.of("c3RhcnQtaWQtZXhhbXBsZQ")));
        m.put("hello-deploy-os", new Hello("00:50:56:aa:bb:cc", Optional.empty(), Optional.of("tok-3q2-zA"),
                Optional.empty(), Optional.of("192.0.2.10"), Optional.empty(), "Linux 6.1 amd64", "0.1.0", true, "on",
                2));
        m.put("registered", new Registered(CREDENTIAL));
        m.put("welcome", new Welcome(15));
        m.put("heartbeat", new Heartbeat());
        m.put("error-connection", new ConnectionError("unauthenticated", "wrong or used token"));
        m.put("command", new Command(7, "echo hi", 60));
        m.put("power", new Power(8, "reboot"));
        m.put("file-begin", new FileBegin(9, 3, "/opt/app", "app.conf", 1048576, EMPTY_SHA, Optional.of("640")));
        m.put("delete-file", new DeleteFile(10, "/opt/app/old.conf"));
        m.put("list-folder", new ListFolder(11, "/opt/app"));
        m.put("read-stream", new ReadStream(12, 4, "file", Map.of("path", "/dev/sda"), 4194304));
        m.put("disk-inventory", new DiskInventory(13));
        m.put("file-end", new FileEnd(9, 3));
        m.put("cancel", new Cancel(7));
        m.put("stream-credit", new StreamCredit(12, 262144));
        m.put("progress", new Progress(12, 1048576, -1, "bytes"));
        m.put("stream-begin", new StreamBegin(12, 68719476736L));
        m.put("command-result", new CommandResult(7, 0, "hi\n\u00e9"));
        m.put("ack", new Ack(8));
        m.put("folder-listing", new FolderListing(11, List.of(
                new FolderListing.Entry("app.conf", false, 120, Instant.parse("2026-01-01T00:00:00Z"), "640"),
                new FolderListing.Entry("lib", true, 4096, Instant.parse("2026-01-02T03:04:05Z"), "")), true));
        m.put("disks", new Disks(13, List.of(new Disks.Disk(1, "sda", 68719476736L, "gpt", "QEMU HARDDISK", List.of(
                new Disks.Partition(1, 1048576, 536870912, "c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "vfat"),
                new Disks.Partition(2, 537919488, 68180508672L, "0fc63daf-8483-4772-8e79-3d69d8477de4", "ext4")),
                ""), new Disks.Disk(2, "sdb", 0, "unreadable", "", List.of(), "cannot read /dev/sdb: I/O error"))));
        m.put("stream-end", new StreamEnd(12, 67108864, EMPTY_SHA));
        m.put("error-answer", new ErrorAnswer(7, "cancelled", "cancelled by the server"));
        m.put("welcome-deploy-os", new Welcome(15, Optional.of(RESUME_KEY)));
        m.put("hello-resume", new Hello("00:50:56:aa:bb:cc", Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of("192.0.2.10"), Optional.empty(), "Linux 6.1 amd64", "0.1.0", true, "on", 2,
                Optional.of(RESUME_KEY)));
        m.put("read-disk-area", new ReadDiskArea(20, 1, 0, 512));
        m.put("disk-area", new DiskArea(20, AREA));
        m.put("write-disk-area", new WriteDiskArea(21, 1, 1048576, AREA));
        m.put("image-read", new ImageRead(22, 5, List.of(new Extent(1, 0, 68719476736L), new Extent(2, 1048576,
                536870912)), 4194304, 1, 0, 16777216));
        m.put("image-begin", new ImageBegin(22, List.of(new DiskGeometry(1, 68719476736L, 512), new DiskGeometry(2,
                1073741824, 4096))));
        m.put("image-chunk", new ImageChunk(22, 3, 1, 12582912, 4194304, false, 1048576, 0xdeadbeef, EMPTY_SHA));
        m.put("image-chunk-hole", new ImageChunk(22, 4, 1, 16777216, 4194304, true, 0, 0, ImageChunk.HOLE_SHA256));
        m.put("image-end", new ImageEnd(22, 16512, 5368709120L));
        m.put("image-write", new ImageWrite(23, 6, List.of(new DiskGeometry(1, 68719476736L, 512)), 4194304, 37,
                16384, true, 16777216));
        m.put("image-write-ready", new ImageWriteReady(23));
        m.put("image-written", new ImageWritten(23, 64, 113246208));
        m.put("image-write-end", new ImageWriteEnd(23));
        m.put("image-write-result", new ImageWriteResult(23, 16347, 68564287488L, true, List.of(
                new ImageWriteResult.Mismatch(17, 1, 71303168))));
        m.put("prepare-master", new PrepareMaster(24, PrepareMaster.WINDOWS_VM));
        m.put("multicast-join", new MulticastJoin(25, 7, 4611686018427387905L,
                java.util.UUID.fromString("8c0e2f3a-5b6d-4e7f-9a1b-2c3d4e5f6a7b"), 3, "239.255.26.7", 26530, 1400,
                List.of(new DiskGeometry(1, 68719476736L, 512)), 4194304, 16384, 0xdeadbeef, List.of(
                        new ChunkRange(0, 511), new ChunkRange(600, 600)),
                true, 60));
        m.put("multicast-joined", new MulticastJoined(25));
        m.put("multicast-progress", new MulticastProgress(25, List.of(new ChunkRange(512, 599),
                new ChunkRange(601, 1023)), 2147483648L));
        m.put("multicast-end", new MulticastEnd(25));
        m.put("multicast-result", new MulticastResult(25, 16384, 68719476736L, true, List.of(
                new ImageWriteResult.Mismatch(17, 1, 71303168))));
        m.put("error-dropped", new ErrorAnswer(25, ErrorAnswer.DROPPED,
                "no chunk confirmed for 60 s (412 of 16384 chunks written)"));
        m.putAll(PackageMessagesTest.goodVectors());
        return m;
    }

    private static byte[] vector(String path) throws IOException {
        try (InputStream in = GoldenVectorTest.class.getResourceAsStream("/vectors/" + path)) {
            assertThat(in).as("vector " + path).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    public void everyMessageTypeHasAVector() {
        Map<String, Message> all = expected();
        for (Class<?> c : Message.class.getDeclaredClasses()) {
            if (c.isRecord() && Message.class.isAssignableFrom(c)) {
                assertThat(all.values()).as("a vector of " + c.getSimpleName()).anyMatch(c::isInstance);
            }
        }
    }

    @Test
    public void goodVectorsDecodeToTheirRecordsAndEncodeToTheSameBytes() throws IOException {
        for (Map.Entry<String, Message> e : expected().entrySet()) {
            byte[] bytes = vector("good/" + e.getKey() + ".frame");
            Frame read = FrameCodec.read(new ByteArrayInputStream(bytes), FrameCodec.MAX_BEFORE_HELLO);
            assertThat(read).as(e.getKey()).isEqualTo(new Frame.Control(e.getValue()));
            assertThat(FrameCodec.decode(ByteBuffer.wrap(bytes), FrameCodec.MAX_BEFORE_HELLO)).as(e.getKey())
                    .isEqualTo(read);
            assertThat(new String(FrameCodec.encode(e.getValue()), StandardCharsets.UTF_8)).as(e.getKey())
                    .isEqualTo(new String(bytes, StandardCharsets.UTF_8));
            assertThat(FrameCodec.encode(e.getValue())).as(e.getKey()).isEqualTo(bytes);
        }
    }

    @Test
    public void dataVector() throws IOException {
        byte[] bytes = vector("good/data.frame");
        Frame.Data d = (Frame.Data) FrameCodec.read(new ByteArrayInputStream(bytes), FrameCodec.MAX_BEFORE_HELLO);
        assertThat(d.transferId()).isEqualTo(4);
        byte[] chunk = new byte[d.chunk().remaining()];
        d.chunk().get(chunk);
        assertThat(new String(chunk, StandardCharsets.US_ASCII)).isEqualTo("hello");
        assertThat(FrameCodec.encodeData(4, chunk, 0, chunk.length)).isEqualTo(bytes);
    }

    @Test
    public void unknownMembersAreIgnoredAndNullIsAbsent() throws IOException {
        byte[] json = ("{\"type\":\"hello\",\"future\":{\"x\":[1,2.5,null]},\"mac\":\"00:50:56:aa:bb:cc\","
                + "\"credential\":\"c\",\"uuid\":null}").getBytes(StandardCharsets.UTF_8);
        Hello h = (Hello) MessageCodec.decode(json, 0, json.length);
        assertThat(h.uuid()).isEmpty();
        assertThat(h.protocol()).as("no protocol member: version 1").isEqualTo(1);
    }

    private record Bad(Reason reason, String member, String message) {
    }

    static Map<String, Bad> badVectors() {
        Map<String, Bad> m = new LinkedHashMap<>();
        m.put("oversized", new Bad(Reason.OVERSIZED_FRAME, null, "frame of 65537 bytes exceeds the maximum 65536"));
        m.put("zero-length", new Bad(Reason.MALFORMED_FRAME, null, "frame of length 0"));
        m.put("unknown-frame-type", new Bad(Reason.UNKNOWN_FRAME_TYPE, null, "frame type 7 is unknown"));
        m.put("short-data", new Bad(Reason.MALFORMED_FRAME, null, "data frame shorter than its 8-byte transfer id"));
        m.put("not-json", new Bad(Reason.MALFORMED_FRAME, null, "malformed JSON"));
        m.put("not-an-object", new Bad(Reason.MALFORMED_FRAME, null, "a JSON array, not an object"));
        m.put("trailing", new Bad(Reason.MALFORMED_FRAME, null, "content after the object"));
        m.put("duplicate-key", new Bad(Reason.MALFORMED_FRAME, null, "Duplicate field 'id'"));
        m.put("no-type", new Bad(Reason.BAD_MEMBER, "type", "message has no string member 'type'"));
        m.put("unknown-type", new Bad(Reason.UNKNOWN_TYPE, null, "unknown message type 'format'"));
        m.put("missing-member", new Bad(Reason.BAD_MEMBER, "commandLine",
                "'command' has no string member 'commandLine'"));
        m.put("wrong-type", new Bad(Reason.BAD_MEMBER, "timeoutSeconds",
                "'command' member 'timeoutSeconds' is not a 64-bit integer"));
        m.put("fraction-id", new Bad(Reason.BAD_MEMBER, "id", "'ack' member 'id' is not a 64-bit integer"));
        m.put("huge-id", new Bad(Reason.BAD_MEMBER, "id", "'ack' member 'id' is not a 64-bit integer"));
        m.put("hello-no-credential", new Bad(Reason.BAD_MEMBER, "credential",
                "'hello' has no string member 'credential'"));
        m.put("deploy-os-hello-no-token", new Bad(Reason.BAD_MEMBER, "token", "'hello' has no string member 'token'"));
        m.put("listing-bad-instant", new Bad(Reason.BAD_MEMBER, "modified",
                "'folderListing entries[0]' member 'modified' 'yesterday' is not an ISO-8601 instant"));
        m.put("disks-partition-no-type", new Bad(Reason.BAD_MEMBER, "type",
                "'disks disks[0] partitions[0]' has no string member 'type'"));
        m.put("too-many-macs", new Bad(Reason.BAD_MEMBER, "macs",
                "'register' member 'macs' has 65 elements, more than 64"));
        m.put("too-deep", new Bad(Reason.MALFORMED_FRAME, null, "nesting depth"));
        m.put("parameter-not-string", new Bad(Reason.BAD_MEMBER, "parameters",
                "'readStream' member 'parameters' value 'path' is not a string"));
        m.put("hello-bad-resume-key", new Bad(Reason.BAD_MEMBER, "resumeKey",
                "'hello' member 'resumeKey' is not 43 base64url characters"));
        m.put("hello-bad-start-id", new Bad(Reason.BAD_MEMBER, "startId",
                "'hello' member 'startId' is not 8 to 64 base64url characters"));
        m.put("hello-token-and-resume-key", new Bad(Reason.BAD_MEMBER, "resumeKey",
                "'hello' member 'resumeKey' and 'token' are both given"));
        m.put("read-disk-area-too-long", new Bad(Reason.BAD_MEMBER, "length",
                "'readDiskArea' member 'length' 524289 is outside 1..524288"));
        m.put("write-disk-area-not-base64", new Bad(Reason.BAD_MEMBER, "data",
                "'writeDiskArea' member 'data' is not base64"));
        m.put("disk-area-empty", new Bad(Reason.BAD_MEMBER, "data",
                "'diskArea' member 'data' holds 0 bytes, not 1 to 524288"));
        m.put("image-read-chunk-size", new Bad(Reason.BAD_MEMBER, "chunkSize",
                "'imageRead' member 'chunkSize' 1000000 is not a power of two from 65536 to 67108864"));
        m.put("image-read-no-extents", new Bad(Reason.BAD_MEMBER, "extents", "'imageRead' member 'extents' is empty"));
        m.put("image-read-extent-overflow", new Bad(Reason.BAD_MEMBER, "length",
                "'imageRead extents[0]' member 'length' 1 is outside 1..0"));
        m.put("image-read-level", new Bad(Reason.BAD_MEMBER, "compressionLevel",
                "'imageRead' member 'compressionLevel' 20 is outside 1..19"));
        m.put("image-read-negative-from", new Bad(Reason.BAD_MEMBER, "fromChunk",
                "'imageRead' member 'fromChunk' -1 is outside 0..9223372036854775807"));
        m.put("image-read-small-window", new Bad(Reason.BAD_MEMBER, "windowBytes",
                "'imageRead' member 'windowBytes' 4194304 is outside 4194560..9223372036854775807"));
        m.put("image-chunk-bad-sha", new Bad(Reason.BAD_MEMBER, "sha256", "is not 64 lower-case hex digits"));
        m.put("image-chunk-hole-with-data", new Bad(Reason.BAD_MEMBER, "hole",
                "'imageChunk' member 'hole' is true but the chunk has stored bytes"));
        m.put("image-chunk-empty-not-hole", new Bad(Reason.BAD_MEMBER, "storedLength",
                "'imageChunk' member 'storedLength' is 0 for a chunk that is not a hole"));
        m.put("image-chunk-too-long-stored", new Bad(Reason.BAD_MEMBER, "storedLength",
                "'imageChunk' member 'storedLength' 65825 is outside 0..65824"));
        m.put("image-chunk-crc-range", new Bad(Reason.BAD_MEMBER, "crc32c",
                "'imageChunk' member 'crc32c' 4294967296 is outside 0..4294967295"));
        m.put("image-chunk-negative-number", new Bad(Reason.BAD_MEMBER, "chunk",
                "'imageChunk' member 'chunk' -1 is outside 0..9223372036854775807"));
        m.put("image-write-too-many-disks", new Bad(Reason.BAD_MEMBER, "disks",
                "'imageWrite' member 'disks' has 65 elements, more than 64"));
        m.put("image-write-from-past-end", new Bad(Reason.BAD_MEMBER, "fromChunk",
                "'imageWrite' member 'fromChunk' 2 is outside 0..1"));
        m.put("image-write-sector-size", new Bad(Reason.BAD_MEMBER, "sectorSize",
                "'imageWrite disks[0]' member 'sectorSize' 1000 is not a power of two"));
        m.put("image-write-result-too-many-mismatches", new Bad(Reason.BAD_MEMBER, "mismatches",
                "'imageWriteResult' member 'mismatches' has 101 elements, more than 100"));
        m.put("prepare-master-unknown-system", new Bad(Reason.BAD_MEMBER, "system",
                "'prepareMaster' member 'system' 'macos' is not one of linux, windows, windows-vm"));
        m.put("prepare-master-no-system", new Bad(Reason.BAD_MEMBER, "system",
                "'prepareMaster' member 'system' is not a string"));
        m.put("multicast-join-too-many-ranges", new Bad(Reason.BAD_MEMBER, "confirmed",
                "'multicastJoin' member 'confirmed' has 1025 elements, more than 1024"));
        m.put("multicast-join-range-past-end", new Bad(Reason.BAD_MEMBER, "confirmed",
                "'multicastJoin' member 'confirmed' element 0 [0,16384] is not a range from 0 below 16384"));
        m.put("multicast-join-ranges-overlap", new Bad(Reason.BAD_MEMBER, "confirmed",
                "'multicastJoin' member 'confirmed' element 1 [10,20] is not a range from 11 below 16384"));
        m.put("multicast-join-range-not-pair", new Bad(Reason.BAD_MEMBER, "confirmed",
                "'multicastJoin' member 'confirmed' element 0 is not a pair of integers"));
        m.put("multicast-join-session-zero", new Bad(Reason.BAD_MEMBER, "sessionId",
                "'multicastJoin' member 'sessionId' 0 is outside 1..9223372036854775807"));
        m.put("multicast-join-member-range", new Bad(Reason.BAD_MEMBER, "member",
                "'multicastJoin' member 'member' 4294967296 is outside 1..4294967295"));
        m.put("multicast-join-group-name", new Bad(Reason.BAD_MEMBER, "group",
                "'multicastJoin' member 'group' 'example.org' is not an IP address"));
        m.put("multicast-join-too-many-chunks", new Bad(Reason.BAD_MEMBER, "chunks",
                "'multicastJoin' member 'chunks' 16777217 is outside 1..16777216"));
        m.put("multicast-join-image-not-uuid", new Bad(Reason.BAD_MEMBER, "image",
                "'multicastJoin' member 'image' 'not-a-uuid' is not a lower-case UUID"));
        m.put("multicast-progress-empty", new Bad(Reason.BAD_MEMBER, "confirmed",
                "'multicastProgress' member 'confirmed' is empty"));
        m.put("multicast-progress-descending", new Bad(Reason.BAD_MEMBER, "confirmed",
                "'multicastProgress' member 'confirmed' element 1 [100,200] is not a range from 701"));
        return m;
    }

    @Test
    public void badVectorsAreRefusedWithTheirError() throws IOException {
        for (Map.Entry<String, Bad> e : badVectors().entrySet()) {
            byte[] bytes = vector("bad/" + e.getKey() + ".frame");
            Bad bad = e.getValue();
            for (int path = 0; path < 2; path++) {
                int p = path;
                assertThatThrownBy(() -> {
                    if (p == 0) {
                        FrameCodec.read(new ByteArrayInputStream(bytes), FrameCodec.MAX_BEFORE_HELLO);
                    } else {
                        FrameCodec.decode(ByteBuffer.wrap(bytes), FrameCodec.MAX_BEFORE_HELLO);
                    }
                }).as(e.getKey()).isInstanceOfSatisfying(ProtocolException.class, x -> {
                    assertThat(x.reason()).as(e.getKey()).isEqualTo(bad.reason());
                    assertThat(x.member()).as(e.getKey()).isEqualTo(Optional.ofNullable(bad.member()));
                    assertThat(x.getMessage()).as(e.getKey()).contains(bad.message());
                });
            }
        }
    }

    @Test
    public void aPrepareMasterForAnUnknownSystemIsRefusedWithItsIdSoTheAgentCanAnswerIt() throws IOException {
        byte[] bytes = vector("bad/prepare-master-unknown-system.frame");
        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(bytes), FrameCodec.MAX_BEFORE_HELLO))
                .isInstanceOfSatisfying(ProtocolException.class,
                        x -> assertThat(x.requestId()).hasValue(24));
        assertThatThrownBy(() -> new PrepareMaster(1, "Linux")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Linux' is not one of");
    }

    @Test
    public void truncatedFramesAreRefused() throws IOException {
        for (String name : List.of("truncated-length", "truncated-payload")) {
            byte[] bytes = vector("bad/" + name + ".frame");
            assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(bytes), FrameCodec.MAX_BEFORE_HELLO))
                    .as(name).isInstanceOf(EOFException.class).hasMessageContaining("in the middle of a frame");
            assertThatThrownBy(() -> FrameCodec.decode(ByteBuffer.wrap(bytes), FrameCodec.MAX_BEFORE_HELLO))
                    .as(name).isInstanceOfSatisfying(ProtocolException.class,
                            x -> assertThat(x.reason()).isEqualTo(Reason.MALFORMED_FRAME));
        }
    }

    @Test
    public void anOversizedFrameIsRefusedBeforeItsPayloadIsRead() {
        // Only the length prefix is there: a reader that allocated or waited for the payload would not throw this.
        byte[] prefix = { 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff };
        assertThatThrownBy(() -> FrameCodec.read(new ByteArrayInputStream(prefix), FrameCodec.AGENT_MAX_FRAME))
                .isInstanceOfSatisfying(ProtocolException.class,
                        x -> assertThat(x.reason()).isEqualTo(Reason.OVERSIZED_FRAME));
    }
}
