package org.opendpm.scheduler.internal.engine;

/** NET-4: multicast restore is refused while the server runs without its DHCP server; one sentence everywhere. */
final class Net4 {

    private Net4() {
    }

    /**
     * @param who "Scenario NAME", or the step: "The restore step on machine NAME"
     * @param what what needs the DHCP server, as its plugin names it: "a multicast restore (…)"
     */
    static String refusal(String who, String what) {
        return who + " cannot run: it does " + what + ", which needs the server's DHCP"
                + " server, and the server runs without one (server setting \"Use A DHCP Server\", useDhcpServer, is"
                + " off; NET-4). Turn the setting on, or restore by unicast";
    }
}
