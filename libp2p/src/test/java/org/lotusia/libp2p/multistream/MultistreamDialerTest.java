package org.lotusia.libp2p.multistream;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
class MultistreamDialerTest {
    static final byte[] HEADER = hex("13 2f6d756c746973747265616d2f312e302e30 0a");
    static final byte[] NOISE = hex("07 2f6e6f697365 0a");
    static final byte[] NA = hex("03 6e61 0a");

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

    private MultistreamDialer install(MultistreamDialer dialer) {
        ch.pipeline().addLast("mss", dialer).addLast("cap", cap);
        return dialer;
    }

    private void feed(byte[] bytes) {
        ch.writeInbound(alloc.wrap(bytes));
    }

    private void feedByteByByte(byte[] bytes) {
        for (byte b : bytes) {
            feed(new byte[] {b});
        }
    }

    private static MultistreamException failure(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        Throwable t = f.handle((v, e) -> e).join();
        assertThat(t).isInstanceOf(MultistreamException.class);
        return (MultistreamException) t;
    }

    @Test
    void writesHeaderAndFirstProposalInOneWrite() {
        MultistreamDialer d = install(new MultistreamDialer("/noise", "/tls/1.0.0"));
        assertThat(readOut(ch)).isEqualTo(concat(HEADER, NOISE));
        assertThat(readOut(ch)).isNull();
        assertThat(d.selected()).isNotDone();
        assertThat(d.protocols()).containsExactly("/noise", "/tls/1.0.0");
        assertThat(d.isLazy()).isFalse();
    }

    @Test
    void echoSelectsRemovesHandlerAndForwardsLeftoverBytes() {
        MultistreamDialer d = install(new MultistreamDialer("/noise"));
        readAllOut(ch);
        feed(concat(HEADER, NOISE, hex("0020 aabbcc")));
        assertThat(d.selected()).isCompletedWithValue("/noise");
        assertThat(d.confirmed()).isCompletedWithValue("/noise");
        assertThat(ch.pipeline().get("mss")).isNull();
        assertThat(cap.events).containsExactly(new MultistreamSelectedEvent("/noise", true));
        assertThat(cap.received()).isEqualTo(hex("0020 aabbcc"));
        assertThat(ch.isOpen()).isTrue();
        // Later bytes flow straight through.
        feed(hex("dd"));
        assertThat(cap.received()).isEqualTo(hex("0020 aabbcc dd"));
    }

    @Test
    void naMovesToNextProposalWrittenAlone() {
        MultistreamDialer d = install(new MultistreamDialer("/tls/1.0.0", "/noise"));
        assertThat(readOut(ch)).isEqualTo(concat(HEADER, msg("/tls/1.0.0")));
        feed(concat(HEADER, NA));
        assertThat(readOut(ch)).isEqualTo(NOISE);
        assertThat(readOut(ch)).isNull();
        assertThat(d.selected()).isNotDone();
        feed(NOISE);
        assertThat(d.selected()).isCompletedWithValue("/noise");
        assertThat(cap.received()).isEmpty();
    }

    @Test
    void exhaustedProposalsFailWithTheTriedList() {
        MultistreamDialer d = install(new MultistreamDialer("/a", "/b"));
        readAllOut(ch);
        feed(concat(HEADER, NA));
        assertThat(readOut(ch)).isEqualTo(msg("/b"));
        feed(NA);
        MultistreamException e = failure(d.selected());
        assertThat(e).isInstanceOf(ProtocolNotSupportedException.class);
        assertThat(e.reason()).isEqualTo(MultistreamException.Reason.PROTOCOL_NOT_SUPPORTED);
        assertThat(((ProtocolNotSupportedException) e).triedProtocols()).containsExactly("/a", "/b");
        assertThat(e.getMessage()).contains("/a").contains("/b");
        assertThat(ch.isOpen()).isFalse();
        assertThat(cap.received()).isEmpty();
    }

    @Test
    void byteAtATimeDelivery() {
        MultistreamDialer d = install(new MultistreamDialer("/tls/1.0.0", "/noise"));
        readAllOut(ch);
        feedByteByByte(concat(HEADER, NA));
        assertThat(readAllOut(ch)).isEqualTo(NOISE);
        feedByteByByte(concat(NOISE, ascii("app-data")));
        assertThat(d.selected()).isCompletedWithValue("/noise");
        assertThat(cap.received()).isEqualTo(ascii("app-data"));
    }

    @Test
    void rejectsWrongHeader() {
        MultistreamDialer d = install(new MultistreamDialer("/noise"));
        feed(concat(msg("/multistream/2.0.0"), NOISE));
        assertThat(failure(d.selected()).reason()).isEqualTo(MultistreamException.Reason.INVALID_HEADER);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void rejectsGarbageBeforeHeader() {
        MultistreamDialer d = install(new MultistreamDialer("/noise"));
        feed(concat(msg("hello"), HEADER, NOISE));
        MultistreamException e = failure(d.selected());
        assertThat(e.reason()).isEqualTo(MultistreamException.Reason.INVALID_HEADER);
        assertThat(e.getMessage()).contains("'hello'");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void rejectsUnframedGarbageInsideHeader() {
        MultistreamDialer d = install(new MultistreamDialer("/noise"));
        // Right length, but a byte of the header replaced the newline.
        byte[] bad = HEADER.clone();
        bad[bad.length - 1] = '!';
        feed(bad);
        assertThat(failure(d.selected()).reason()).isEqualTo(MultistreamException.Reason.MISSING_NEWLINE);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void rejectsUnexpectedResponse() {
        MultistreamDialer d = install(new MultistreamDialer("/noise"));
        feed(concat(HEADER, msg("/yamux/1.0.0")));
        assertThat(failure(d.selected()).reason()).isEqualTo(MultistreamException.Reason.UNEXPECTED_MESSAGE);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void rejectsOversizeResponse() {
        MultistreamDialer d = install(new MultistreamDialer("/noise"));
        feed(concat(HEADER, hex("8108")));
        assertThat(failure(d.selected()).reason()).isEqualTo(MultistreamException.Reason.MESSAGE_TOO_LONG);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void lazyModeLetsApplicationDataFollowTheProposal() {
        MultistreamDialer d = install(MultistreamDialer.builder("/ipfs/ping/1.0.0").lazy(true).build());
        assertThat(d.isLazy()).isTrue();
        assertThat(d.selected()).isCompletedWithValue("/ipfs/ping/1.0.0");
        assertThat(d.confirmed()).isNotDone();
        ch.writeOutbound(alloc.wrap(ascii("ping-payload")));
        assertThat(readOut(ch)).isEqualTo(concat(HEADER, msg("/ipfs/ping/1.0.0")));
        assertThat(readOut(ch)).isEqualTo(ascii("ping-payload"));
        // The echo arrives together with the reply.
        feed(concat(HEADER, msg("/ipfs/ping/1.0.0"), ascii("pong")));
        assertThat(d.confirmed()).isCompletedWithValue("/ipfs/ping/1.0.0");
        assertThat(ch.pipeline().get("mss")).isNull();
        assertThat(cap.received()).isEqualTo(ascii("pong"));
    }

    @Test
    void lazyModeFailsAndClosesOnNa() {
        MultistreamDialer d = install(MultistreamDialer.builder(List.of("/x")).lazy(true).build());
        readAllOut(ch);
        feed(concat(HEADER, NA));
        assertThat(d.selected()).isCompletedWithValue("/x");
        MultistreamException e = failure(d.confirmed());
        assertThat(e).isInstanceOf(ProtocolNotSupportedException.class);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void timeoutFailsAndCloses() {
        MultistreamDialer d = install(new MultistreamDialer("/noise"));
        ch.advanceTimeBy(9, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(d.selected()).isNotDone();
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(failure(d.selected()).reason()).isEqualTo(MultistreamException.Reason.TIMEOUT);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void customTimeoutAndTimerCancelledOnSuccess() {
        MultistreamDialer d = install(MultistreamDialer.builder("/noise").timeout(Duration.ofMillis(200)).build());
        feed(concat(HEADER, NOISE));
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(d.selected()).isCompletedWithValue("/noise");
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void channelCloseBeforeEchoFails() {
        MultistreamDialer d = install(new MultistreamDialer("/noise"));
        feed(HEADER);
        feed(hex("07 2f6e"));
        ch.close();
        assertThat(failure(d.selected()).reason()).isEqualTo(MultistreamException.Reason.CHANNEL_CLOSED);
    }

    @Test
    void remoteHalfCloseBeforeEchoFails() {
        MultistreamDialer d = install(new MultistreamDialer("/noise"));
        feed(HEADER);
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(failure(d.selected()).reason()).isEqualTo(MultistreamException.Reason.CHANNEL_CLOSED);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void onSelectedCallbackInstallsTheProtocolHandlerBeforeLeftoverIsPassedOn() {
        List<String> order = new ArrayList<>();
        Capture proto = new Capture();
        MultistreamDialer d = MultistreamDialer.builder("/noise").onSelected((channel, p) -> {
            order.add("callback " + p);
            channel.pipeline().addLast("proto", proto);
        }).build();
        d.selected().thenAccept(p -> order.add("future " + p));
        ch.pipeline().addLast("mss", d);
        feed(concat(HEADER, NOISE, ascii("data")));
        assertThat(order).containsExactly("callback /noise", "future /noise");
        assertThat(proto.received()).isEqualTo(ascii("data"));
        assertThat(proto.events).containsExactly(new MultistreamSelectedEvent("/noise", true));
    }

    @Test
    void futureDependentCanReplaceTheHandler() {
        Capture proto = new Capture();
        MultistreamDialer d = new MultistreamDialer("/noise");
        d.selected().thenAccept(p -> ch.pipeline().replace("mss", "proto", proto));
        ch.pipeline().addLast("mss", d);
        feed(concat(HEADER, NOISE, ascii("data")));
        assertThat(ch.pipeline().names()).contains("proto").doesNotContain("mss");
        assertThat(proto.received()).isEqualTo(ascii("data"));
    }

    @Test
    void throwingCallbackFailsAndReleasesLeftover() {
        MultistreamDialer d = install(MultistreamDialer.builder("/noise")
                .onSelected((c, p) -> {
                    throw new IllegalStateException("boom");
                }).build());
        feed(concat(HEADER, NOISE, ascii("data")));
        MultistreamException e = failure(d.selected());
        assertThat(e.reason()).isEqualTo(MultistreamException.Reason.INTERNAL_ERROR);
        assertThat(e.getCause()).hasMessage("boom");
        assertThat(ch.isOpen()).isFalse();
        assertThat(cap.received()).isEmpty();
    }

    @Test
    void removalDuringNegotiationFailsWithoutClosing() {
        MultistreamDialer d = install(new MultistreamDialer("/noise"));
        feed(hex("13 2f6d"));
        ch.pipeline().remove("mss");
        assertThat(failure(d.selected()).reason()).isEqualTo(MultistreamException.Reason.INTERNAL_ERROR);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void bytesArrivingAfterFailureAreReleased() {
        MultistreamDialer d = install(new MultistreamDialer("/noise"));
        feed(msg("garbage"));
        assertThat(d.selected()).isCompletedExceptionally();
        ch.pipeline().fireChannelRead(alloc.wrap(ascii("more")));
        assertThat(cap.received()).isEmpty();
    }

    @Test
    void builderValidatesArguments() {
        assertThatThrownBy(() -> new MultistreamDialer(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MultistreamDialer("na")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MultistreamDialer("ls")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MultistreamDialer("/multistream/1.0.0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MultistreamDialer("/a\n")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MultistreamDialer.builder("/a", "/b").lazy(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one");
        assertThatThrownBy(() -> MultistreamDialer.builder("/a").timeout(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class);
    }
}
