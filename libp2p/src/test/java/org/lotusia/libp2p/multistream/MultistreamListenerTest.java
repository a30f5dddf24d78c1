package org.lotusia.libp2p.multistream;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lotusia.libp2p.multistream.Wire.ascii;
import static org.lotusia.libp2p.multistream.Wire.concat;
import static org.lotusia.libp2p.multistream.Wire.hex;
import static org.lotusia.libp2p.multistream.Wire.msg;
import static org.lotusia.libp2p.multistream.Wire.readAllOut;
import static org.lotusia.libp2p.multistream.Wire.readOut;

@ExtendWith(LeakDetectionExtension.class)
class MultistreamListenerTest {
    static final byte[] HEADER = hex("13 2f6d756c746973747265616d2f312e302e30 0a");
    static final byte[] NOISE = hex("07 2f6e6f697365 0a");
    static final byte[] YAMUX = hex("0d 2f79616d75782f312e302e30 0a");
    static final byte[] NA = hex("03 6e61 0a");
    /** The first Noise XX message as it follows the negotiation: u16 length 32 + ephemeral key. */
    static final byte[] NOISE_MSG_A = concat(hex("0020"), new byte[32]);

    private TrackingAllocator alloc;
    private EmbeddedChannel ch;
    private Capture cap;

    @BeforeEach
    void setUp() {
        alloc = new TrackingAllocator();
        ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        cap = new Capture();
    }

    @AfterEach
    void tearDown() {
        ch.finishAndReleaseAll();
        alloc.assertAllReleased();
    }

    private MultistreamListener install(MultistreamListener listener) {
        ch.pipeline().addLast("mss", listener).addLast("cap", cap);
        return listener;
    }

    private MultistreamListener install(String... supported) {
        return install(new MultistreamListener(ProtocolSelector.of(supported)));
    }

    private void feed(byte[] bytes) {
        ch.writeInbound(alloc.wrap(bytes));
    }

    private static MultistreamException failure(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        Throwable t = f.handle((v, e) -> e).join();
        assertThat(t).isInstanceOf(MultistreamException.class);
        return (MultistreamException) t;
    }

    @Test
    void answersJsDialerPipelinedHeaderAndProposalWithOneWrite() {
        MultistreamListener l = install("/noise");
        assertThat(readOut(ch)).as("the listener speaks only when spoken to").isNull();
        feed(concat(HEADER, NOISE));
        assertThat(ByteBufUtil.hexDump(readOut(ch))).isEqualTo(
                "132f6d756c746973747265616d2f312e302e300a" + "072f6e6f6973650a");
        assertThat(readOut(ch)).isNull();
        assertThat(l.selected()).isCompletedWithValue("/noise");
        assertThat(ch.pipeline().get("mss")).isNull();
        assertThat(cap.events).containsExactly(new MultistreamSelectedEvent("/noise", false));
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void pipelinedProposalsAndApplicationDataInOneBuffer() {
        MultistreamListener l = install("/noise");
        feed(concat(HEADER, msg("/tls/1.0.0"), NOISE, NOISE_MSG_A));
        assertThat(readOut(ch)).isEqualTo(concat(HEADER, NA, NOISE));
        assertThat(readOut(ch)).isNull();
        assertThat(l.selected()).isCompletedWithValue("/noise");
        assertThat(cap.received()).isEqualTo(NOISE_MSG_A);
        assertThat(cap.reads).isEqualTo(1);
    }

    @Test
    void byteAtATimeDelivery() {
        MultistreamListener l = install("/yamux/1.0.0");
        byte[] in = concat(HEADER, msg("/mplex/6.7.0"), YAMUX, ascii("yamux-frames"));
        for (byte b : in) {
            feed(new byte[] {b});
        }
        assertThat(readAllOut(ch)).isEqualTo(concat(HEADER, NA, YAMUX));
        assertThat(l.selected()).isCompletedWithValue("/yamux/1.0.0");
        assertThat(cap.received()).isEqualTo(ascii("yamux-frames"));
    }

    @Test
    void headerMayFollowProposalsAndIsSentOnlyOnce() {
        MultistreamListener l = install("/noise");
        feed(msg("/tls/1.0.0"));
        assertThat(readOut(ch)).isEqualTo(concat(HEADER, NA));
        feed(HEADER);
        assertThat(readOut(ch)).as("our header went out already").isNull();
        feed(NOISE);
        assertThat(readOut(ch)).isEqualTo(NOISE);
        assertThat(l.selected()).isCompletedWithValue("/noise");
    }

    @Test
    void headerAloneIsAnsweredAndListenerWaits() {
        MultistreamListener l = install("/noise");
        feed(HEADER);
        assertThat(readOut(ch)).isEqualTo(HEADER);
        assertThat(l.selected()).isNotDone();
        feed(HEADER);
        assertThat(readOut(ch)).isNull();
        assertThat(l.selected()).isNotDone();
    }

    @Test
    void unsupportedProposalsGetNaAndTheChannelStaysOpen() {
        MultistreamListener l = install("/noise");
        feed(HEADER);
        readAllOut(ch);
        for (String p : List.of("/ipfs/ping/1.0.0", "/x", "", "na", "/multistream/2.0.0")) {
            feed(msg(p));
            assertThat(readOut(ch)).as(p).isEqualTo(NA);
            assertThat(ch.isOpen()).isTrue();
            assertThat(l.selected()).isNotDone();
        }
    }

    @Test
    void lsListsTheRegisteredProtocols() {
        MultistreamListener l = install("/noise", "/yamux/1.0.0");
        feed(concat(HEADER, msg("ls")));
        assertThat(readOut(ch)).isEqualTo(concat(HEADER,
                hex("17 07 2f6e6f697365 0a 0d 2f79616d75782f312e302e30 0a 0a")));
        feed(YAMUX);
        assertThat(readOut(ch)).isEqualTo(YAMUX);
        assertThat(l.selected()).isCompletedWithValue("/yamux/1.0.0");
    }

    @Test
    void dynamicSelectorIsConsultedOnEveryProposal() {
        List<String> registry = new CopyOnWriteArrayList<>(List.of("/a"));
        MultistreamListener l = install(new MultistreamListener(ProtocolSelector.of(registry::contains, () -> registry)));
        feed(concat(HEADER, msg("/b")));
        assertThat(readOut(ch)).isEqualTo(concat(HEADER, NA));
        registry.add("/b");
        feed(msg("ls"));
        assertThat(readOut(ch)).isEqualTo(hex("09 03 2f610a 03 2f620a 0a"));
        feed(msg("/b"));
        assertThat(l.selected()).isCompletedWithValue("/b");
    }

    @Test
    void rejectsOversizeMessage() {
        MultistreamListener l = install("/noise");
        feed(concat(HEADER, hex("8108")));
        assertThat(failure(l.selected()).reason()).isEqualTo(MultistreamException.Reason.MESSAGE_TOO_LONG);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void acceptsMessageOfExactlyTheLimit() {
        String longId = "/" + "p".repeat(1022);
        MultistreamListener l = install(longId);
        byte[] proposal = concat(hex("8008"), ascii(longId), new byte[] {'\n'});
        feed(concat(HEADER, proposal));
        assertThat(readOut(ch)).isEqualTo(concat(HEADER, proposal));
        assertThat(l.selected()).isCompletedWithValue(longId);
    }

    @Test
    void rejectsGarbageBeforeHeader() {
        MultistreamListener l = install("/noise");
        feed(concat(hex("ffffff"), HEADER));
        assertThat(failure(l.selected()).reason()).isEqualTo(MultistreamException.Reason.INVALID_LENGTH_PREFIX);
        assertThat(ch.isOpen()).isFalse();
        assertThat(readAllOut(ch)).isEmpty();
    }

    @Test
    void httpRequestInsteadOfMultistreamIsRejected() {
        MultistreamListener l = install("/noise");
        // 'G' = 0x47 announces a 71-byte message; the 72nd byte of the request is '\r', not a newline.
        feed(ascii("GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.10\r\nAccept: */*\r\n\r\n"));
        assertThat(failure(l.selected()).reason()).isEqualTo(MultistreamException.Reason.MISSING_NEWLINE);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void corruptedHeaderTextIsJustAnUnknownMessage() {
        MultistreamListener l = install("/noise");
        byte[] bad = HEADER.clone();
        bad[5] ^= 0x20; // "/multistream" -> "/muLtistream"
        feed(concat(bad, NOISE));
        assertThat(readOut(ch)).isEqualTo(concat(HEADER, NA, NOISE));
        assertThat(l.selected()).isCompletedWithValue("/noise");
    }

    @Test
    void corruptedHeaderLengthIsRejected() {
        MultistreamListener l = install("/noise");
        byte[] bad = HEADER.clone();
        bad[0] = 0x12;
        feed(concat(bad, NOISE));
        assertThat(failure(l.selected()).reason()).isEqualTo(MultistreamException.Reason.MISSING_NEWLINE);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void tooManyProposalsCloseTheChannel() {
        MultistreamListener l = install("/noise");
        feed(HEADER);
        readAllOut(ch);
        for (int i = 0; i < MultistreamListener.DEFAULT_MAX_ATTEMPTS; i++) {
            feed(msg("/nope/" + i));
            assertThat(readOut(ch)).isEqualTo(NA);
        }
        assertThat(ch.isOpen()).isTrue();
        feed(msg("/nope/last"));
        assertThat(failure(l.selected()).reason()).isEqualTo(MultistreamException.Reason.TOO_MANY_ATTEMPTS);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void tooManyProposalsInOneBuffer() {
        MultistreamListener l = install(MultistreamListener.builder(ProtocolSelector.of("/noise")).maxAttempts(3).build());
        feed(concat(HEADER, msg("/1"), msg("/2"), msg("/3"), msg("/4"), NOISE));
        assertThat(failure(l.selected()).reason()).isEqualTo(MultistreamException.Reason.TOO_MANY_ATTEMPTS);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void tooManyBytesCloseTheChannel() {
        MultistreamListener l = install(MultistreamListener.builder(ProtocolSelector.of("/noise")).maxBytes(1500).build());
        byte[] big = concat(hex("e807"), ascii("/" + "b".repeat(998)), new byte[] {'\n'}); // 1000-byte message
        feed(concat(HEADER, big));
        assertThat(readOut(ch)).isEqualTo(concat(HEADER, NA));
        feed(big);
        assertThat(failure(l.selected()).reason()).isEqualTo(MultistreamException.Reason.TOO_MANY_BYTES);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void timeoutFailsAndCloses() {
        MultistreamListener l = install("/noise");
        feed(HEADER);
        ch.advanceTimeBy(9_900, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(l.selected()).isNotDone();
        ch.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        MultistreamException e = failure(l.selected());
        assertThat(e.reason()).isEqualTo(MultistreamException.Reason.TIMEOUT);
        assertThat(e.getMessage()).contains("10000 ms");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void zeroTimeoutMeansNone() {
        MultistreamListener l = install(MultistreamListener.builder(ProtocolSelector.of("/noise"))
                .timeout(Duration.ZERO).build());
        ch.advanceTimeBy(1, TimeUnit.HOURS);
        ch.runScheduledPendingTasks();
        assertThat(l.selected()).isNotDone();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void remoteCloseFails() {
        MultistreamListener l = install("/noise");
        feed(concat(HEADER, hex("07 2f")));
        ch.close();
        assertThat(failure(l.selected()).reason()).isEqualTo(MultistreamException.Reason.CHANNEL_CLOSED);
    }

    @Test
    void throwingSelectorFailsWithInternalError() {
        MultistreamListener l = install(new MultistreamListener(p -> {
            throw new IllegalStateException("registry broken");
        }));
        feed(concat(HEADER, NOISE));
        MultistreamException e = failure(l.selected());
        assertThat(e.reason()).isEqualTo(MultistreamException.Reason.INTERNAL_ERROR);
        assertThat(e.getCause()).hasMessage("registry broken");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void onSelectedRunsAfterTheEchoIsWrittenAndBeforeLeftover() {
        List<String> order = new ArrayList<>();
        Capture proto = new Capture();
        MultistreamListener l = MultistreamListener.builder(ProtocolSelector.of("/echo/1.0.0"))
                .onSelected((channel, p) -> {
                    order.add("callback " + p + " outbound=" + ((EmbeddedChannel) channel).outboundMessages().size());
                    channel.pipeline().addLast(proto);
                }).build();
        ch.pipeline().addLast("mss", l);
        feed(concat(HEADER, msg("/echo/1.0.0"), ascii("hi")));
        assertThat(order).containsExactly("callback /echo/1.0.0 outbound=1");
        assertThat(proto.received()).isEqualTo(ascii("hi"));
        assertThat(l.selected()).isCompletedWithValue("/echo/1.0.0");
    }

    @Test
    void requestsReadsWhileNegotiatingWhenAutoReadIsOff() {
        int[] reads = {0};
        ch.config().setAutoRead(false);
        ch.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
            @Override
            public void read(ChannelHandlerContext ctx) {
                reads[0]++;
                ctx.read();
            }
        });
        MultistreamListener l = install("/noise");
        assertThat(reads[0]).as("a read is requested when negotiation starts").isEqualTo(1);
        feed(hex("13 2f6d"));
        assertThat(reads[0]).as("and again after an incomplete message").isEqualTo(2);
        feed(concat(Arrays.copyOfRange(HEADER, 3, HEADER.length), NOISE));
        assertThat(l.selected()).isCompletedWithValue("/noise");
        assertThat(reads[0]).as("no more reads once the protocol handler owns the channel").isEqualTo(2);
    }

    @Test
    void failedReplyWriteFailsTheNegotiation() {
        ch.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ReferenceCountUtil.release(msg);
                promise.setFailure(new IOException("broken pipe"));
            }
        });
        MultistreamListener l = install("/noise");
        feed(concat(HEADER, NOISE, ascii("leftover")));
        MultistreamException e = failure(l.selected());
        assertThat(e.reason()).isEqualTo(MultistreamException.Reason.WRITE_FAILED);
        assertThat(e.getCause()).hasMessage("broken pipe");
        assertThat(ch.isOpen()).isFalse();
        assertThat(cap.received()).isEmpty();
        assertThat(cap.events).isEmpty();
    }

    @Test
    void selectorFactoriesValidateIds() {
        assertThatThrownBy(() -> ProtocolSelector.of("/ok", "bad\n")).isInstanceOf(IllegalArgumentException.class);
        assertThat(ProtocolSelector.of("/a", "/b", "/a").protocols()).containsExactly("/a", "/b");
        assertThat(((ProtocolSelector) p -> true).protocols()).isEmpty();
        assertThatThrownBy(() -> MultistreamListener.builder(ProtocolSelector.of("/a")).maxAttempts(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MultistreamListener.builder(ProtocolSelector.of("/a")).maxBytes(10))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
