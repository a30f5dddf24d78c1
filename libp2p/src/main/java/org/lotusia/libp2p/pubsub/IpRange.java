package org.lotusia.libp2p.pubsub;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IP address or CIDR range given as a literal (no name resolution). */
record IpRange(byte[] network, int prefixLength) {

    /** Parses {@code 1.2.3.4}, {@code 10.0.0.0/8}, {@code ::1} or {@code fd00::/8}. */
    static IpRange parse(String text) {
        String address = text;
        int prefix = -1;
        int slash = text.indexOf('/');
        if (slash >= 0) {
            address = text.substring(0, slash);
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in " + text);
            }
        }
        byte[] bytes = literal(address);
        if (bytes == null) {
            throw new IllegalArgumentException("not an IP literal: " + text);
        }
        if (prefix < 0) {
            prefix = bytes.length * 8;
        }
        if (prefix > bytes.length * 8) {
            throw new IllegalArgumentException("prefix too long in " + text);
        }
        return new IpRange(bytes, prefix);
    }

    /** The address bytes of an IP literal, or null if {@code text} is not one. */
    static byte[] literal(String text) {
        if (text.isEmpty() || !(Character.digit(text.charAt(0), 16) >= 0 || text.charAt(0) == ':' )) {
            return null;
        }
        if (!text.contains(":") && !text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return null;
        }
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    /** Whether {@code address} (raw bytes) lies in this range. */
    boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (address[full] & mask) == (network[full] & mask);
    }
}
