package org.opendpm.netboot.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.opendpm.netboot.internal.TestBoot;
import org.opendpm.netboot.internal.tftp.FileJail;
import org.opendpm.spi.BootClient;

public class HttpBootTest {

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final HttpClient client = HttpClient.newHttpClient();
    private TestBoot boot;
    private HttpBootTestServer server;
    private byte[] kernel;

    @Before
    public void start() throws Exception {
        Path root = tmp.newFolder("root").toPath();
        Files.createDirectories(root.resolve("deployos"));
        kernel = new byte[300_000];
        new Random(7).nextBytes(kernel);
        Files.write(root.resolve("deployos/vmlinuz"), kernel);
        Files.writeString(tmp.getRoot().toPath().resolve("secret"), "secret");
        Files.createSymbolicLink(root.resolve("link"), tmp.getRoot().toPath().resolve("secret"));
        boot = TestBoot.withRegistrationMenu();
        server = new HttpBootTestServer(
                new HttpBoot(boot.service(), new FileJail(root, ""), (token, name) -> Optional.empty()), "127.0.0.1");
    }

    @After
    public void stop() {
        server.close();
    }

    private HttpResponse<byte[]> get(String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + HttpBootTestServer.PREFIX + pathAndQuery));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    public void chainScriptAsksForTheMachinesOwnScript() throws Exception {
        HttpResponse<byte[]> r = get("/chain.ipxe");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(text(r)).startsWith("#!ipxe\n").contains("chain ./ipxe?mac=${net0/mac:hexhyp}&uuid=${uuid}");
    }

    @Test
    public void ipxeRequestRegistersTheMachineAndAnswersItsScript() throws Exception {
        HttpResponse<byte[]> r = get("/ipxe?mac=52%3A54%3A00%3A12%3A34%3A56&uuid=8D3F1E2A-4B5C-4D6E-9F70-8192A3B4C5D6"
                + "&arch=i386&platform=pcbios");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(text(r)).startsWith("#!ipxe\n").contains("prompt --key 0x147e");
        assertThat(boot.inventorySeen()).containsExactly("52:54:00:12:34:56 8d3f1e2a-4b5c-4d6e-9f70-8192a3b4c5d6");
        assertThat(boot.clients()).extracting(BootClient::architecture, BootClient::isIpxe)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, true));
        // The script is also at its own path, for clients told its URL by DHCP.
        HttpResponse<byte[]> again = get("/ipxe-01-52-54-00-12-34-56.ipxe");
        assertThat(again.body()).isEqualTo(r.body());
    }

    @Test
    public void uefiIpxeIsArchitecture7AndEmptyUuidIsAbsent() throws Exception {
        assertThat(get("/ipxe?mac=52-54-00-12-34-57&uuid=&arch=x86_64&platform=efi").statusCode()).isEqualTo(200);
        assertThat(boot.clients()).singleElement().satisfies(c -> {
            assertThat(c.architecture()).isEqualTo(BootClient.ARCH_EFI_X86_64);
            assertThat(c.uuid()).isEmpty();
            assertThat(c.mac()).isEqualTo("52:54:00:12:34:57");
        });
    }

    @Test
    public void badIpxeParametersAreRefusedAndNothingIsRegistered() throws Exception {
        assertThat(get("/ipxe?uuid=&arch=i386&platform=pcbios").statusCode()).isEqualTo(400);
        assertThat(get("/ipxe?mac=52:54:00:12:34&arch=i386&platform=pcbios").statusCode()).isEqualTo(400);
        assertThat(get("/ipxe?mac=52:54:00:12:34:56&uuid=nope&arch=i386&platform=pcbios").statusCode())
                .isEqualTo(400);
        assertThat(get("/ipxe?mac=52:54:00:12:34:56&arch=mips&platform=efi").statusCode()).isEqualTo(400);
        // A broken escape (which Java's client will not even send) drops the parameter, then its check refuses.
        assertThat(HttpBoot.query("mac=%ZZ&arch=i386")).isEqualTo(Map.of("arch", "i386"));
        assertThat(boot.inventorySeen()).isEmpty();
    }

    @Test
    public void filesWholeAndByRange() throws Exception {
        HttpResponse<byte[]> whole = get("/deployos/vmlinuz");
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(kernel);
        assertThat(whole.headers().firstValue("Accept-Ranges")).hasValue("bytes");

        HttpResponse<byte[]> part = get("/deployos/vmlinuz", "Range", "bytes=1000-1999");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 1000-1999/300000");
        assertThat(part.body()).isEqualTo(Arrays.copyOfRange(kernel, 1000, 2000));

        HttpResponse<byte[]> tail = get("/deployos/vmlinuz", "Range", "bytes=-10");
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(kernel, 299_990, 300_000));
        HttpResponse<byte[]> open = get("/deployos/vmlinuz", "Range", "bytes=299000-");
        assertThat(open.body()).isEqualTo(Arrays.copyOfRange(kernel, 299_000, 300_000));
        HttpResponse<byte[]> past = get("/deployos/vmlinuz", "Range", "bytes=299000-999999");
        assertThat(past.headers().firstValue("Content-Range")).hasValue("bytes 299000-299999/300000");

        HttpResponse<byte[]> bad = get("/deployos/vmlinuz", "Range", "bytes=300000-");
        assertThat(bad.statusCode()).isEqualTo(416);
        assertThat(bad.headers().firstValue("Content-Range")).hasValue("bytes */300000");
        assertThat(get("/deployos/vmlinuz", "Range", "bytes=0-1,5-6").statusCode()).isEqualTo(200);
        assertThat(get("/deployos/vmlinuz", "Range", "lines=1-2").statusCode()).isEqualTo(200);
    }

    @Test
    public void headSendsTheLengthWithoutTheBody() throws Exception {
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + HttpBootTestServer.PREFIX + "/deployos/vmlinuz")).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Length")).hasValue("300000");
        assertThat(r.body()).isEmpty();
    }

    @Test
    public void missingFilesAreNotFoundAndTheJailHolds() throws Exception {
        assertThat(get("/pxelinux.cfg/01-52-54-00-00-00-99").statusCode()).isEqualTo(404);
        assertThat(get("/link").statusCode()).isEqualTo(403);
        assertThat(get("/deployos/%2e%2e/%2e%2e/secret").statusCode()).isIn(400, 403, 404);
        assertThat(text(get("/deployos/%2e%2e/%2e%2e/secret"))).doesNotContain("secret");
        assertThat(get("/deployos").statusCode()).isEqualTo(403);
    }

    @Test
    public void writesAreRefused() throws Exception {
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + HttpBootTestServer.PREFIX + "/deployos/vmlinuz")).PUT(HttpRequest.BodyPublishers.ofString("x"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(Files.size(tmp.getRoot().toPath().resolve("root/deployos/vmlinuz"))).isEqualTo(300_000);
    }

    @Test
    public void rangeParsing() throws Exception {
        assertThat(ByteRange.parse(null, 10)).isEmpty();
        assertThat(ByteRange.parse("bytes=2-4", 10)).hasValue(new ByteRange(2, 4));
        assertThat(ByteRange.parse("bytes=-3", 10)).hasValue(new ByteRange(7, 9));
        assertThat(ByteRange.parse("bytes=-30", 10)).hasValue(new ByteRange(0, 9));
        assertThat(ByteRange.parse("bytes=5-2", 10)).isEmpty();
        assertThat(ByteRange.parse("bytes=x-2", 10)).isEmpty();
        assertThat(ByteRange.parse("bytes=99999999999999999999-", 10)).isEmpty();
        assertThatThrownBy(() -> ByteRange.parse("bytes=10-", 10)).isInstanceOf(ByteRange.Unsatisfiable.class);
        assertThatThrownBy(() -> ByteRange.parse("bytes=-0", 10)).isInstanceOf(ByteRange.Unsatisfiable.class);
        assertThat(HttpBoot.query("a=1&b=%3A&c")).isEqualTo(Map.of("a", "1", "b", ":", "c", ""));
        assertThat(HttpBoot.architecture("efi", "arm64")).hasValue(11);
        assertThat(HttpBoot.architecture("xen", "x86_64")).isEmpty();
    }

}
