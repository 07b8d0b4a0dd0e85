package org.opendpm.netboot.internal.pxe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.Test;
import org.opendpm.netboot.internal.pxe.PxeStats.Malformed;
import org.opendpm.spi.BootClient;

public class PxeRequestTest {

    private static PxeRequest read(Requests r) throws MalformedDhcpException {
        return PxeRequest.of(DhcpCodec.decode(r.build()));
    }

    private static void refused(Requests r, Malformed kind) {
        assertThatThrownBy(() -> read(r)).isInstanceOf(MalformedDhcpException.class)
                .satisfies(e -> assertThat(((MalformedDhcpException) e).kind()).isEqualTo(kind));
    }

    @Test
    public void biosPxeClientWithUuid() throws Exception {
        PxeRequest r = read(Requests.pxe(DhcpPacket.DISCOVER, 0));
        assertThat(r.pxeClient()).isTrue();
        assertThat(r.client()).isEqualTo(new BootClient(Requests.MAC_TEXT,
                java.util.Optional.of(Requests.UUID_TEXT), BootClient.ARCH_BIOS, java.util.Optional.empty()));
        assertThat(r.bootItem()).isEmpty();
    }

    @Test
    public void ipxeUserClassBareAndRfc3004() throws Exception {
        assertThat(read(Requests.pxe(1, 7).option(77, "iPXE")).client().isIpxe()).isTrue();
        assertThat(read(Requests.pxe(1, 7).option(77, new byte[]{ 4, 'i', 'P', 'X', 'E' })).client().isIpxe())
                .isTrue();
        assertThat(read(Requests.pxe(1, 7).option(77, "gPXE")).client().isIpxe()).isFalse();
    }

    @Test
    public void architectureFromOption93ElseFromTheVendorClass() throws Exception {
        assertThat(read(Requests.pxe(1, 16)).client().architecture()).isEqualTo(16);
        Requests onlyVendor = new Requests().option(53, 1).option(60, "PXEClient:Arch:00009:UNDI:003016");
        assertThat(read(onlyVendor).client().architecture()).isEqualTo(9);
        assertThat(read(new Requests().option(53, 1).option(60, "PXEClient")).client().architecture()).isZero();
    }

    @Test
    public void bootItemFromVendorOptions() throws Exception {
        PxeRequest r = read(Requests.pxe(3, 0).option(43, 71, 4, 0x80, 0x01, 0, 0, 255));
        assertThat(r.bootItem()).hasValueSatisfying(b -> assertThat(b).containsExactly(0x80, 1, 0, 0));
    }

    @Test
    public void nonPxeClientsAreReadButNotPxe() throws Exception {
        assertThat(read(new Requests().option(53, 1)).pxeClient()).isFalse();
        assertThat(read(new Requests().option(53, 1).option(60, "MSFT 5.0")).pxeClient()).isFalse();
    }

    @Test
    public void garbageVendorClassIsNotAPxeClientAndIsNeverLoggedRaw() throws Exception {
        PxeRequest r = read(new Requests().option(53, 1).option(60, new byte[]{ (byte) 0xff, 0, 0x1b, 'P', 10 }));
        assertThat(r.pxeClient()).isFalse();
        assertThat(r.vendorClass()).hasValue("???P?");
    }

    @Test
    public void garbageArchitectureInTheVendorClassIsRefused() {
        refused(new Requests().option(53, 1).option(60, "PXEClient:Arch:0x7zz:UNDI:002001"), Malformed.BAD_OPTION);
        refused(new Requests().option(53, 1).option(60, "PXEClient:Arch:99999"), Malformed.BAD_OPTION);
    }

    @Test
    public void garbageOption93IsRefused() {
        refused(new Requests().option(53, 1).option(60, "PXEClient").option(93, new byte[0]), Malformed.BAD_OPTION);
        refused(new Requests().option(53, 1).option(60, "PXEClient").option(93, 7), Malformed.BAD_OPTION);
        refused(new Requests().option(53, 1).option(60, "PXEClient").option(93, 0, 7, 1), Malformed.BAD_OPTION);
    }

    @Test
    public void unknownButWellFormedArchitectureIsKeptForThePluginsToDecline() throws Exception {
        assertThat(read(Requests.pxe(1, 0xfffe)).client().architecture()).isEqualTo(0xfffe);
    }

    @Test
    public void zeroLengthClientIdIsRefused() {
        refused(Requests.pxe(1, 0).option(61, new byte[0]), Malformed.BAD_OPTION);
        refused(Requests.pxe(1, 0).option(61, 1), Malformed.BAD_OPTION);
    }

    @Test
    public void badUuidOptionsAreRefused() {
        refused(new Requests().option(53, 1).option(97, new byte[0]), Malformed.BAD_OPTION);
        refused(new Requests().option(53, 1).option(97, new byte[16]), Malformed.BAD_OPTION);
        byte[] wrongType = Requests.uuidOption();
        wrongType[0] = 1;
        refused(new Requests().option(53, 1).option(97, wrongType), Malformed.BAD_OPTION);
    }

    @Test
    public void emptyUserClassAndVendorSubOptionOverrunAreRefused() {
        refused(Requests.pxe(1, 0).option(77, new byte[0]), Malformed.BAD_OPTION);
        refused(Requests.pxe(3, 0).option(43, 71, 9, 0x80, 0), Malformed.BAD_OPTION);
    }

    @Test
    public void repliesNonEthernetAndUntypedMessagesAreRefused() {
        refused(Requests.pxe(1, 0).op(2), Malformed.NOT_A_REQUEST);
        refused(Requests.pxe(1, 0).hardware(6, 6), Malformed.BAD_HARDWARE_ADDRESS);
        refused(Requests.pxe(1, 0).hardware(1, 16), Malformed.BAD_HARDWARE_ADDRESS);
        refused(new Requests().option(60, "PXEClient"), Malformed.NO_MESSAGE_TYPE);
        refused(new Requests().option(53, 99), Malformed.NO_MESSAGE_TYPE);
        refused(new Requests().option(53, 1, 1), Malformed.NO_MESSAGE_TYPE);
    }
}
