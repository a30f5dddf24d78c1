package org.lotusia.libp2p.security.noise;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * Test allocator that remembers every buffer it hands out (and every buffer a test registers), so a test can
 * assert deterministically that each was released, without waiting for the GC-driven leak detector.
 * Double releases surface as {@code IllegalReferenceCountException} in the code under test.
 */
final class LeakCheckingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> buffers = new ArrayList<>();

    LeakCheckingAllocator(boolean preferDirect) {
        super(preferDirect);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    @Override
    protected synchronized ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return remember(UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity));
    }

    @Override
    protected synchronized ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return remember(UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity));
    }

    private ByteBuf remember(ByteBuf b) {
        buffers.add(b);
        return b;
    }

    /** Copies bytes into a tracked buffer (test input entering a channel). */
    synchronized ByteBuf wrap(byte[] bytes) {
        return remember(Unpooled.copiedBuffer(bytes));
    }

    synchronized int count() {
        return buffers.size();
    }

    synchronized void assertAllReleased() {
        for (int i = 0; i < buffers.size(); i++) {
            assertThat(buffers.get(i).refCnt()).as("refCnt of tracked buffer #%d %s", i, buffers.get(i)).isZero();
        }
    }
}
