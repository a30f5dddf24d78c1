package org.lotusia.libp2p.multistream;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test allocator that remembers every buffer it hands out (and every buffer a test registers with
 * {@link #track}), so a test can assert deterministically that all of them were released, without
 * waiting for the GC-driven leak detector.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> buffers = new ArrayList<>();

    /** Creates an allocator handing out heap buffers by default. */
    public TrackingAllocator() {
        super(false);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    @Override
    protected synchronized ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf buf = UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
        buffers.add(buf);
        return buf;
    }

    @Override
    protected synchronized ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf buf = UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
        buffers.add(buf);
        return buf;
    }

    /** Copies {@code bytes} into a tracked buffer (the way test input enters a channel). */
    public synchronized ByteBuf wrap(byte[] bytes) {
        return track(Unpooled.copiedBuffer(bytes));
    }

    /** Registers a buffer created elsewhere. */
    public synchronized ByteBuf track(ByteBuf buf) {
        buffers.add(buf);
        return buf;
    }

    /** How many buffers are tracked. */
    public synchronized int count() {
        return buffers.size();
    }

    /** Asserts that every tracked buffer has been released. */
    public synchronized void assertAllReleased() {
        for (int i = 0; i < buffers.size(); i++) {
            assertThat(buffers.get(i).refCnt()).as("refCnt of tracked buffer #%d %s", i, buffers.get(i)).isZero();
        }
    }
}
