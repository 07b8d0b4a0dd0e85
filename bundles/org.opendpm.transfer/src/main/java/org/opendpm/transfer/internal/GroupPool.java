package org.opendpm.transfer.internal;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The multicast group addresses sessions take (docs/multicast.md, "Addresses"): one per session while the pool lasts,
 * handed out in turn; an address given back is free again only after {@link #QUARANTINE_NANOS}, so late packets of
 * an old session meet no new one on it. Thread-safe.
 */
final class GroupPool {

    /** How long a released address rests. */
    static final long QUARANTINE_NANOS = 10_000_000_000L;
    /** At most this many addresses are used of a large range (a /16 of IPv4). */
    static final int MAX_ADDRESSES = 65536;

    private final String text;
    private final BigInteger first;
    private final int size;
    private final int length;
    private final LongSupplier clock;
    private final Set<Integer> taken = new HashSet<>();
    /** Released addresses and when they are free again. */
    private final Map<Integer, Long> resting = new HashMap<>();
    private int next;

    /**
     * @param cidr a multicast range such as {@code 239.255.26.0/24} or {@code ff15::1:0/112}, a literal (no lookup)
     */
    GroupPool(String cidr, LongSupplier clock) {
        this.text = cidr;
        this.clock = clock;
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("group pool '" + cidr + "' is not an address/prefix");
        }
        InetAddress base;
        int prefix;
        try {
            String address = cidr.substring(0, slash).strip();
            if (!address.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("group pool '" + cidr + "' does not start with an address");
            }
            base = InetAddress.getByName(address);
            prefix = Integer.parseInt(cidr.substring(slash + 1).strip());
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("group pool '" + cidr + "': " + e.getMessage());
        }
        this.length = base.getAddress().length;
        int bits = length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException(
                    "group pool '" + cidr + "': prefix " + prefix + " is outside 0.." + bits);
        }
        if (!base.isMulticastAddress()) {
            throw new IllegalArgumentException("group pool '" + cidr + "' is not a multicast range");
        }
        BigInteger mask = BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE);
        this.first = new BigInteger(1, base.getAddress()).andNot(mask);
        this.size = bits - prefix >= 16 ? MAX_ADDRESSES : 1 << (bits - prefix);
        try {
            if (!address(0).isMulticastAddress() || !address(size - 1).isMulticastAddress()) {
                throw new IllegalArgumentException("group pool '" + cidr + "' reaches past the multicast range");
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("group pool '" + cidr + "': " + e.getMessage());
        }
    }

    /** A free address, taken until {@link #release}. */
    synchronized InetAddress take() throws UnknownHostException, NoAddressException {
        long now = clock.getAsLong();
        resting.values().removeIf(until -> until - now <= 0);
        for (int i = 0; i < size; i++) {
            int k = (next + i) % size;
            if (!taken.contains(k) && !resting.containsKey(k)) {
                taken.add(k);
                next = (k + 1) % size;
                return address(k);
            }
        }
        throw new NoAddressException("no group address of the pool " + text + " is free (" + taken.size()
                + " in use, " + resting.size() + " resting for 10 s after their session)");
    }

    /** Gives an address back; it is free again after {@link #QUARANTINE_NANOS}. */
    synchronized void release(InetAddress address) {
        BigInteger offset = new BigInteger(1, address.getAddress()).subtract(first);
        if (offset.signum() < 0 || offset.compareTo(BigInteger.valueOf(size)) >= 0) {
            return; // of a pool configured before this one
        }
        int k = offset.intValue();
        if (taken.remove(k)) {
            resting.put(k, clock.getAsLong() + QUARANTINE_NANOS);
        }
    }

    private InetAddress address(int k) throws UnknownHostException {
        byte[] raw = first.add(BigInteger.valueOf(k)).toByteArray();
        byte[] b = new byte[length];
        int n = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - n, b, length - n, n);
        return InetAddress.getByAddress(b);
    }

    /** The pool is exhausted. */
    static final class NoAddressException extends Exception {
        private static final long serialVersionUID = 1L;

        NoAddressException(String message) {
            super(message);
        }
    }
}
