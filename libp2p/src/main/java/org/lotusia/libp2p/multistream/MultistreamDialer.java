package org.lotusia.libp2p.multistream;

import io.netty.channel.Channel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * The initiating side of multistream-select: proposes protocols, in order, until the remote echoes
 * one.
 *
 * <p>Add it to the pipeline of an outbound channel (a raw connection or a muxed stream) in front of
 * the handlers that will speak the protocol. As soon as the channel is active it writes the header
 * and the first proposal in a single write, as js-libp2p does. It then requires the remote's header
 * to be exactly {@code /multistream/1.0.0}; an echo of the proposal selects it, {@code na} moves on
 * to the next proposal (written alone), and when every proposal was rejected the negotiation fails
 * with {@link ProtocolNotSupportedException}. Any other reply fails with
 * {@link MultistreamException.Reason#UNEXPECTED_MESSAGE}.
 *
 * <p>On success the handler runs the {@code onSelected} callback, completes {@link #selected()} and
 * {@link #confirmed()}, removes itself, fires a {@link MultistreamSelectedEvent} and passes any bytes
 * received after the echo to the next handler. On failure the futures complete exceptionally with a
 * {@link MultistreamException} and the channel is closed.
 *
 * <p><b>Lazy mode</b> (single protocol only): the header and proposal are written and
 * {@link #selected()} completes at once, so the application may write immediately behind the
 * proposal (the js listener accepts this). The handler stays in the pipeline until the echo arrives
 * and completes {@link #confirmed()}; if the remote answers {@code na} instead, {@code confirmed()}
 * fails and the channel is closed (the data already written is lost).
 *
 * <p>One instance per channel. Futures may be read from any thread; callbacks and futures'
 * dependents registered before completion run on the channel's event loop.
 */
public final class MultistreamDialer extends AbstractMultistreamHandler {
    /** Default time allowed for the whole negotiation (js: 10 s). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final List<String> protocols;
    private final boolean lazy;
    private final CompletableFuture<String> selected = new CompletableFuture<>();
    private final CompletableFuture<String> confirmed = new CompletableFuture<>();
    private boolean headerReceived;
    private int current;

    /** A dialer proposing {@code protocols} in order, with the default timeout. */
    public MultistreamDialer(String... protocols) {
        this(List.of(protocols));
    }

    /** A dialer proposing {@code protocols} in order, with the default timeout. */
    public MultistreamDialer(List<String> protocols) {
        this(builder(protocols));
    }

    private MultistreamDialer(Builder b) {
        super(b.timeout, b.onSelected);
        this.protocols = b.protocols;
        this.lazy = b.lazy;
    }

    /** Starts configuring a dialer that proposes {@code protocols} in order. */
    public static Builder builder(List<String> protocols) {
        return new Builder(protocols);
    }

    /** Starts configuring a dialer that proposes {@code protocols} in order. */
    public static Builder builder(String... protocols) {
        return new Builder(List.of(protocols));
    }

    /**
     * Completes with the protocol the application may now speak: on the remote's echo, or, in lazy
     * mode, as soon as the proposal is written. Fails with a {@link MultistreamException}.
     */
    public CompletableFuture<String> selected() {
        return selected;
    }

    /** Completes with the protocol once the remote has echoed it; fails with a {@link MultistreamException}. */
    public CompletableFuture<String> confirmed() {
        return confirmed;
    }

    /** The protocols this dialer proposes, in order. */
    public List<String> protocols() {
        return protocols;
    }

    /** Whether this dialer lets application data follow the proposal before the echo. */
    public boolean isLazy() {
        return lazy;
    }

    @Override
    void onStart() {
        queue(MultistreamCodec.PROTOCOL_ID);
        queue(protocols.get(0));
        flushQueued();
        if (lazy) {
            selected.complete(protocols.get(0));
        }
    }

    @Override
    void onMessage(String message, int encodedLength) {
        if (!headerReceived) {
            if (!MultistreamCodec.PROTOCOL_ID.equals(message)) {
                throw new MultistreamException(MultistreamException.Reason.INVALID_HEADER,
                        "expected multistream header " + MultistreamCodec.PROTOCOL_ID + " but got "
                                + MultistreamCodec.show(message));
            }
            headerReceived = true;
            return;
        }
        String proposal = protocols.get(current);
        if (message.equals(proposal)) {
            succeed(proposal);
        } else if (MultistreamCodec.NA.equals(message)) {
            current++;
            if (current == protocols.size()) {
                throw new ProtocolNotSupportedException(protocols);
            }
            queue(protocols.get(current));
        } else {
            throw new MultistreamException(MultistreamException.Reason.UNEXPECTED_MESSAGE,
                    "expected " + MultistreamCodec.show(proposal) + " or 'na' but got " + MultistreamCodec.show(message));
        }
    }

    @Override
    void completeSuccess(String protocol) {
        selected.complete(protocol);
        confirmed.complete(protocol);
    }

    @Override
    void completeFailure(MultistreamException failure) {
        selected.completeExceptionally(failure);
        confirmed.completeExceptionally(failure);
    }

    @Override
    boolean initiator() {
        return true;
    }

    @Override
    public String toString() {
        return "MultistreamDialer" + protocols + (lazy ? "(lazy)" : "");
    }

    /** Configures a {@link MultistreamDialer}. */
    public static final class Builder {
        private final List<String> protocols;
        private boolean lazy;
        private Duration timeout = DEFAULT_TIMEOUT;
        private BiConsumer<Channel, String> onSelected;

        private Builder(List<String> protocols) {
            Objects.requireNonNull(protocols, "protocols");
            if (protocols.isEmpty()) {
                throw new IllegalArgumentException("at least one protocol must be proposed");
            }
            List<String> copy = new ArrayList<>(protocols.size());
            for (String p : protocols) {
                MultistreamCodec.checkProtocolId(p);
                if (p.equals(MultistreamCodec.PROTOCOL_ID) || p.equals(MultistreamCodec.NA)
                        || p.equals(MultistreamCodec.LS)) {
                    throw new IllegalArgumentException("reserved multistream message cannot be proposed: " + p);
                }
                copy.add(p);
            }
            this.protocols = List.copyOf(copy);
        }

        /**
         * Lets application data follow the proposal without waiting for the echo. Requires exactly one
         * protocol. Default off.
         */
        public Builder lazy(boolean lazy) {
            this.lazy = lazy;
            return this;
        }

        /** Time allowed for the whole negotiation, counted from channel activation; zero for none. Default 10 s. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Runs on the event loop when the remote confirms a protocol, before the futures complete and
         * before buffered bytes are passed on; the place to install the protocol's handlers. If it
         * throws, the negotiation fails and the channel is closed.
         */
        public Builder onSelected(BiConsumer<Channel, String> onSelected) {
            this.onSelected = onSelected;
            return this;
        }

        /** Creates the handler. */
        public MultistreamDialer build() {
            if (lazy && protocols.size() != 1) {
                throw new IllegalArgumentException("lazy multistream select needs exactly one protocol, got " + protocols);
            }
            return new MultistreamDialer(this);
        }
    }
}
