// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import io.netty.channel.ChannelId;

/** A cheap channel id: the connection's id plus the stream id. */
final class YamuxStreamId implements ChannelId {
    private static final long serialVersionUID = 1L;
    private final ChannelId parent;
    private final int stream;

    YamuxStreamId(ChannelId parent, int stream) {
        this.parent = parent;
        this.stream = stream;
    }

    @Override
    public String asShortText() {
        return parent.asShortText() + '/' + Integer.toUnsignedString(stream);
    }

    @Override
    public String asLongText() {
        return parent.asLongText() + '/' + Integer.toUnsignedString(stream);
    }

    @Override
    public int compareTo(ChannelId o) {
        if (o instanceof YamuxStreamId other) {
            int c = parent.compareTo(other.parent);
            return c != 0 ? c : Integer.compareUnsigned(stream, other.stream);
        }
        return parent.compareTo(o);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof YamuxStreamId other && other.stream == stream && other.parent.equals(parent);
    }

    @Override
    public int hashCode() {
        return parent.hashCode() * 31 + stream;
    }

    @Override
    public String toString() {
        return asShortText();
    }
}
