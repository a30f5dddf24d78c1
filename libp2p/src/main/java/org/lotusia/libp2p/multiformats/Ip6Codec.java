package org.lotusia.libp2p.multiformats;

import java.util.ArrayList;
import java.util.List;

/**
 * IPv6 addresses: sixteen bytes. Parsing accepts any RFC 4291 text form (full, {@code ::}
 * compressed, leading zeros within a group, either letter case, an IPv4 dotted quad as the last
 * 32 bits) but no zone suffix ({@code %eth0}; that is the separate {@code ip6zone} protocol).
 * Parsing is literal-only and never performs name lookups.
 *
 * <p>Formatting follows js-multiaddr (WHATWG URL host serialisation, i.e. RFC 5952 without the
 * dotted-quad form): lower-case hex, no leading zeros, the first longest run of two or more zero
 * groups replaced by {@code ::}.
 */
final class Ip6Codec implements ValueCodec {

    static final Ip6Codec INSTANCE = new Ip6Codec();

    /** Longest legal text: 6 full groups, 6 colons and a 15-character dotted quad. */
    private static final int MAX_TEXT_LENGTH = 45;

    private Ip6Codec() {
    }

    @Override
    public byte[] parse(String text) {
        if (text.isEmpty() || text.length() > MAX_TEXT_LENGTH) {
            throw invalid("wrong length");
        }
        int doubleColon = text.indexOf("::");
        if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
            throw invalid("more than one '::'");
        }
        byte[] out = new byte[16];
        if (doubleColon < 0) {
            List<Integer> groups = parseGroups(text);
            if (groups.size() != 8) {
                throw invalid("expected 8 groups, got " + groups.size());
            }
            write(groups, out, 0);
        } else {
            List<Integer> head = parseGroups(text.substring(0, doubleColon));
            List<Integer> tail = parseGroups(text.substring(doubleColon + 2));
            if (head.size() + tail.size() > 7) {
                throw invalid("too many groups around '::'");
            }
            if (text.substring(0, doubleColon).contains(".")) {
                throw invalid("an IPv4 part may only end the address");
            }
            write(head, out, 0);
            write(tail, out, 16 - 2 * tail.size());
        }
        return out;
    }

    /**
     * Parses colon-separated groups; the last one may be a dotted quad, which counts as two.
     * An empty string yields no groups.
     */
    private static List<Integer> parseGroups(String part) {
        List<Integer> groups = new ArrayList<>(8);
        if (part.isEmpty()) {
            return groups;
        }
        int start = 0;
        for (int i = 0; i <= part.length(); i++) {
            if (i == part.length() || part.charAt(i) == ':') {
                if (groups.size() >= 8) {
                    throw invalid("too many groups");
                }
                String group = part.substring(start, i);
                if (i == part.length() && group.indexOf('.') >= 0) {
                    byte[] v4 = new byte[4];
                    try {
                        Ip4Codec.parseInto(group, v4, 0);
                    } catch (InvalidMultiaddrException e) {
                        throw invalid("bad embedded IPv4 part");
                    }
                    groups.add(((v4[0] & 0xFF) << 8) | (v4[1] & 0xFF));
                    groups.add(((v4[2] & 0xFF) << 8) | (v4[3] & 0xFF));
                } else {
                    groups.add(parseHexGroup(group));
                }
                start = i + 1;
            }
        }
        return groups;
    }

    private static int parseHexGroup(String group) {
        if (group.isEmpty() || group.length() > 4) {
            throw invalid("each group must have 1 to 4 hex digits");
        }
        int value = 0;
        for (int i = 0; i < group.length(); i++) {
            int digit = hexDigit(group.charAt(i));
            if (digit < 0) {
                throw invalid("invalid character " + RadixCodec.describe(group.charAt(i)));
            }
            value = (value << 4) | digit;
        }
        return value;
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static void write(List<Integer> groups, byte[] out, int offset) {
        for (int i = 0; i < groups.size(); i++) {
            out[offset + 2 * i] = (byte) (groups.get(i) >>> 8);
            out[offset + 2 * i + 1] = (byte) (int) groups.get(i);
        }
    }

    @Override
    public String format(byte[] value) {
        if (value.length != 16) {
            throw new InvalidMultiaddrException("an IPv6 address is 16 bytes, got " + value.length);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((value[2 * i] & 0xFF) << 8) | (value[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append(i == 0 ? "::" : ":");
                i += bestLength - 1;
                continue;
            }
            out.append(Integer.toHexString(groups[i]));
            if (i < 7) {
                out.append(':');
            }
        }
        return out.toString();
    }

    private static InvalidMultiaddrException invalid(String reason) {
        return new InvalidMultiaddrException("not an IPv6 address literal: " + reason);
    }
}
