package org.lotusia.libp2p.multistream;

import io.netty.channel.embedded.EmbeddedChannel;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lotusia.libp2p.multistream.Wire.ascii;
import static org.lotusia.libp2p.multistream.Wire.concat;
import static org.lotusia.libp2p.multistream.Wire.hex;
import static org.lotusia.libp2p.multistream.Wire.msg;
import static org.lotusia.libp2p.multistream.Wire.readAllOut;

/**
 * Property tests: whatever bytes arrive, in whatever chunks, the handlers either agree on a
 * supported protocol, keep waiting, or fail with a {@link MultistreamException} and close the
 * channel; no other exception escapes and every buffer is released.
 */
class MultistreamFuzzTest {
    static final byte[] HEADER = hex("13 2f6d756c746973747265616d2f312e302e30 0a");
    static final byte[] APP = ascii("application-bytes");
    /** What a dialer sends: header, an unsupported proposal, ls, a supported one, then data. */
    static final byte[] DIALER_SENDS = concat(HEADER, msg("/tls/1.0.0"), msg("ls"), msg("/noise"), APP);
    /** What a listener sends to MultistreamDialer("/tls/1.0.0", "/noise"). */
    static final byte[] LISTENER_SENDS = concat(HEADER, msg("na"), msg("/noise"), APP);

    // ---------------------------------------------------------------------------------------------
    // listener

    @Property(tries = 1000)
    void listenerRandomBytes(@ForAll @Size(max = 300) byte[] data, @ForAll @IntRange(min = 1, max = 40) int chunk) {
        runListener(data, chunk);
    }

    @Property(tries = 1000)
    void listenerRandomBytesAfterHeader(@ForAll @Size(max = 300) byte[] data,
                                        @ForAll @IntRange(min = 1, max = 40) int chunk) {
        runListener(concat(HEADER, data), chunk);
    }

    @Property(tries = 2000)
    void listenerMutatedTranscript(@ForAll("mutatedDialerBytes") byte[] data,
                                   @ForAll @IntRange(min = 1, max = 40) int chunk) {
        runListener(data, chunk);
    }

    @Property(tries = 300)
    void listenerValidTranscriptInAnyChunking(@ForAll @IntRange(min = 1, max = 80) int chunk) {
        Outcome o = runListener(DIALER_SENDS, chunk);
        assertThat(o.selected).isEqualTo("/noise");
        assertThat(o.leftover).isEqualTo(APP);
    }

    /** Well-formed messages in any order: the replies must match a simple model of the listener, byte for byte. */
    @Property(tries = 1000)
    void listenerRepliesMatchModel(@ForAll("messageSequences") List<String> messages,
                                   @ForAll @IntRange(min = 1, max = 40) int chunk) {
        List<String> supported = List.of("/noise", "/yamux/1.0.0");
        int maxAttempts = 8;
        // model
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        boolean headerSent = false;
        int attempts = 0;
        String expectSelected = null;
        MultistreamException.Reason expectFailure = null;
        for (String m : messages) {
            if (m.equals(MultistreamCodec.PROTOCOL_ID) && !headerSent) {
                expected.writeBytes(HEADER);
                headerSent = true;
                continue;
            }
            if (++attempts > maxAttempts) {
                expectFailure = MultistreamException.Reason.TOO_MANY_ATTEMPTS;
                break;
            }
            if (m.equals(MultistreamCodec.PROTOCOL_ID)) {
                continue;
            }
            if (!headerSent) {
                expected.writeBytes(HEADER);
                headerSent = true;
            }
            if (m.equals("ls")) {
                expected.writeBytes(hex("17 07 2f6e6f697365 0a 0d 2f79616d75782f312e302e30 0a 0a"));
            } else if (supported.contains(m)) {
                expected.writeBytes(msg(m));
                expectSelected = m;
                break;
            } else {
                expected.writeBytes(msg("na"));
            }
        }
        // run
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        messages.forEach(m -> input.writeBytes(msg(m)));
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        Capture cap = new Capture();
        MultistreamListener l = MultistreamListener.builder(ProtocolSelector.of(supported)).maxAttempts(maxAttempts).build();
        ch.pipeline().addLast(l, cap);
        ByteArrayOutputStream replies = new ByteArrayOutputStream();
        try {
            byte[] data = input.toByteArray();
            for (int off = 0; off < data.length && ch.isOpen(); off += chunk) {
                ch.writeInbound(alloc.wrap(Arrays.copyOfRange(data, off, Math.min(data.length, off + chunk))));
                replies.writeBytes(readAllOut(ch));
            }
            Statistics.collect(expectSelected != null ? "selected" : expectFailure != null ? "too many" : "waiting");
            if (expectFailure != null) {
                assertThat(l.selected()).isCompletedExceptionally();
                assertThat(ch.isOpen()).isFalse();
                // Replies batched with the failing message are dropped; what went out is a prefix of the model.
                assertThat(expected.toByteArray()).startsWith(replies.toByteArray());
            } else {
                assertThat(replies.toByteArray()).isEqualTo(expected.toByteArray());
                if (expectSelected != null) {
                    assertThat(l.selected()).isCompletedWithValue(expectSelected);
                } else {
                    assertThat(l.selected()).isNotDone();
                    assertThat(ch.isOpen()).isTrue();
                }
            }
        } finally {
            ch.finishAndReleaseAll();
            alloc.assertAllReleased();
        }
    }

    @Provide
    Arbitrary<List<String>> messageSequences() {
        Arbitrary<String> known = Arbitraries.of("/multistream/1.0.0", "ls", "na", "/noise", "/yamux/1.0.0",
                "/tls/1.0.0", "/ipfs/ping/1.0.0", "");
        Arbitrary<String> random = Arbitraries.strings().withCharRange('a', 'z').withChars('/', '.', '-')
                .ofMaxLength(30).map(x -> "/" + x);
        return Arbitraries.frequencyOf(
                Tuple.of(4, known.filter(x -> !x.equals("/noise") && !x.equals("/yamux/1.0.0"))),
                Tuple.of(1, known),
                Tuple.of(3, random)).list().ofMaxSize(14);
    }

    // ---------------------------------------------------------------------------------------------
    // dialer

    @Property(tries = 1000)
    void dialerRandomBytes(@ForAll @Size(max = 300) byte[] data, @ForAll @IntRange(min = 1, max = 40) int chunk) {
        runDialer(data, chunk);
    }

    @Property(tries = 2000)
    void dialerMutatedTranscript(@ForAll("mutatedListenerBytes") byte[] data,
                                 @ForAll @IntRange(min = 1, max = 40) int chunk) {
        runDialer(data, chunk);
    }

    @Property(tries = 300)
    void dialerValidTranscriptInAnyChunking(@ForAll @IntRange(min = 1, max = 80) int chunk) {
        Outcome o = runDialer(LISTENER_SENDS, chunk);
        assertThat(o.selected).isEqualTo("/noise");
        assertThat(o.leftover).isEqualTo(APP);
    }

    @Provide
    Arbitrary<byte[]> mutatedDialerBytes() {
        return mutationsOf(DIALER_SENDS);
    }

    @Provide
    Arbitrary<byte[]> mutatedListenerBytes() {
        return mutationsOf(LISTENER_SENDS);
    }

    // ---------------------------------------------------------------------------------------------

    private record Outcome(String selected, byte[] leftover) {
    }

    private static Outcome runListener(byte[] data, int chunk) {
        MultistreamListener l = MultistreamListener.builder(ProtocolSelector.of("/noise", "/yamux/1.0.0"))
                .maxAttempts(8).build();
        return run(l, l.selected(), List.of("/noise", "/yamux/1.0.0"), data, chunk);
    }

    private static Outcome runDialer(byte[] data, int chunk) {
        MultistreamDialer d = new MultistreamDialer("/tls/1.0.0", "/noise");
        return run(d, d.selected(), d.protocols(), data, chunk);
    }

    private static Outcome run(AbstractMultistreamHandler handler, CompletableFuture<String> selected,
                               List<String> acceptable, byte[] data, int chunk) {
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        Capture cap = new Capture();
        ch.pipeline().addLast("mss", handler).addLast("cap", cap);
        try {
            for (int off = 0; off < data.length && ch.isOpen(); off += chunk) {
                ch.writeInbound(alloc.wrap(Arrays.copyOfRange(data, off, Math.min(data.length, off + chunk))));
                readAllOut(ch);
                checkInvariants(ch, selected, acceptable);
            }
            String result = selected.isDone() && !selected.isCompletedExceptionally() ? selected.join() : null;
            Statistics.collect(result != null ? "selected"
                    : !selected.isDone() ? "still waiting"
                    : "failed " + ((MultistreamException) selected.handle((v, e) -> e).join()).reason());
            byte[] leftover = cap.received();
            if (!selected.isDone()) {
                assertThat(leftover).isEmpty();
                ch.close();
                assertThat(selected).isCompletedExceptionally();
                assertThat(selected.handle((v, e) -> e).join())
                        .isInstanceOfSatisfying(MultistreamException.class,
                                e -> assertThat(e.reason()).isEqualTo(MultistreamException.Reason.CHANNEL_CLOSED));
            }
            assertThat(cap.errors).isEmpty();
            return new Outcome(result, leftover);
        } finally {
            ch.finishAndReleaseAll();
            alloc.assertAllReleased();
        }
    }

    private static void checkInvariants(EmbeddedChannel ch, CompletableFuture<String> selected, List<String> acceptable) {
        if (!selected.isDone()) {
            assertThat(ch.isOpen()).isTrue();
        } else if (selected.isCompletedExceptionally()) {
            assertThat(selected.handle((v, e) -> e).join()).isInstanceOf(MultistreamException.class);
            assertThat(ch.isOpen()).isFalse();
        } else {
            assertThat(acceptable).contains(selected.join());
            assertThat(ch.pipeline().get("mss")).isNull();
        }
    }

    /** Up to four random edits of {@code base}: flips, overwrites, insertions, deletions, truncation. */
    private static Arbitrary<byte[]> mutationsOf(byte[] base) {
        Arbitrary<Integer> pos = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        Arbitrary<UnaryOperator<byte[]>> flip = Combinators.combine(pos, Arbitraries.integers().between(1, 255))
                .as((p, mask) -> b -> {
                    if (b.length == 0) {
                        return b;
                    }
                    byte[] c = b.clone();
                    c[p % c.length] ^= mask.byteValue();
                    return c;
                });
        Arbitrary<UnaryOperator<byte[]>> overwrite = Combinators.combine(pos, Arbitraries.of(
                        (byte) 0x00, (byte) 0x0a, (byte) 0x7f, (byte) 0x80, (byte) 0xff, (byte) 0x13, (byte) 0x03))
                .as((p, v) -> b -> {
                    if (b.length == 0) {
                        return b;
                    }
                    byte[] c = b.clone();
                    c[p % c.length] = v;
                    return c;
                });
        Arbitrary<UnaryOperator<byte[]>> insert = Combinators.combine(pos, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(8))
                .as((p, ins) -> b -> {
                    int at = p % (b.length + 1);
                    return concat(Arrays.copyOfRange(b, 0, at), ins, Arrays.copyOfRange(b, at, b.length));
                });
        Arbitrary<UnaryOperator<byte[]>> delete = Combinators.combine(pos, Arbitraries.integers().between(1, 8))
                .as((p, n) -> b -> {
                    if (b.length == 0) {
                        return b;
                    }
                    int at = p % b.length;
                    int end = Math.min(b.length, at + n);
                    return concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(b, end, b.length));
                });
        Arbitrary<UnaryOperator<byte[]>> truncate = pos.map(p -> b -> Arrays.copyOf(b, p % (b.length + 1)));
        Arbitrary<UnaryOperator<byte[]>> edit = Arbitraries.oneOf(flip, overwrite, insert, delete, truncate);
        return edit.list().ofMinSize(1).ofMaxSize(4).map(edits -> {
            byte[] b = base;
            for (UnaryOperator<byte[]> e : edits) {
                b = e.apply(b);
            }
            return b;
        });
    }
}
