package org.lotusia.libp2p.multistream;

import io.netty.channel.Channel;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * The responding side of multistream-select: answers the remote's proposals until one is
 * supported.
 *
 * <p>Add it to the pipeline of an inbound channel (an accepted connection or a stream the remote
 * opened) in front of the handlers that will speak the protocol. Like the js-libp2p listener it is
 * lenient about order: messages are handled as they come, the header may arrive before or after
 * proposals. Replies: the header once (sent before any other reply, whether or not the remote's
 * header has arrived yet), the echo of a supported proposal, {@code na} for anything else (the
 * channel stays open and the listener keeps waiting), and the protocol list for {@code ls}. All
 * replies to messages that arrived together are written together.
 *
 * <p>Limits: the negotiation must finish within the timeout (default 10 s, counted from channel
 * activation), the remote may make at most {@code maxAttempts} proposals ({@code ls} and repeated
 * headers count; default 64) and send at most {@code maxBytes} of negotiation messages (default
 * 32 KiB). Breaking one, or sending a malformed message, fails the negotiation and closes the channel.
 *
 * <p>On success the handler writes the echo, runs the {@code onSelected} callback, completes
 * {@link #selected()}, removes itself, fires a {@link MultistreamSelectedEvent} and passes the bytes
 * that followed the proposal to the next handler. One instance per channel.
 */
public final class MultistreamListener extends AbstractMultistreamHandler {
    /** Default time allowed for the negotiation (js: 10 s). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Default cap on the number of proposals the remote may make. */
    public static final int DEFAULT_MAX_ATTEMPTS = 64;
    /** Default cap on the negotiation bytes the remote may send. */
    public static final int DEFAULT_MAX_BYTES = 32 * 1024;

    private final ProtocolSelector selector;
    private final int maxAttempts;
    private final long maxBytes;
    private final CompletableFuture<String> selected = new CompletableFuture<>();
    private boolean headerSent;
    private int attempts;
    private long bytes;

    /** A listener accepting what {@code selector} supports, with default limits. */
    public MultistreamListener(ProtocolSelector selector) {
        this(builder(selector));
    }

    private MultistreamListener(Builder b) {
        super(b.timeout, b.onSelected);
        this.selector = b.selector;
        this.maxAttempts = b.maxAttempts;
        this.maxBytes = b.maxBytes;
    }

    /** Starts configuring a listener accepting what {@code selector} supports. */
    public static Builder builder(ProtocolSelector selector) {
        return new Builder(selector);
    }

    /** Completes with the agreed protocol; fails with a {@link MultistreamException}. */
    public CompletableFuture<String> selected() {
        return selected;
    }

    @Override
    void onStart() {
        // The listener speaks only when spoken to.
    }

    @Override
    void onMessage(String message, int encodedLength) {
        bytes += encodedLength;
        if (bytes > maxBytes) {
            throw new MultistreamException(MultistreamException.Reason.TOO_MANY_BYTES,
                    "remote sent more than " + maxBytes + " bytes of multistream negotiation");
        }
        if (MultistreamCodec.PROTOCOL_ID.equals(message) && !headerSent) {
            queue(MultistreamCodec.PROTOCOL_ID);
            headerSent = true;
            return;
        }
        if (++attempts > maxAttempts) {
            throw new MultistreamException(MultistreamException.Reason.TOO_MANY_ATTEMPTS,
                    "remote made more than " + maxAttempts + " multistream proposals");
        }
        if (MultistreamCodec.PROTOCOL_ID.equals(message)) {
            return; // a repeated header: our header went out already
        }
        if (!headerSent) {
            queue(MultistreamCodec.PROTOCOL_ID);
            headerSent = true;
        }
        if (MultistreamCodec.LS.equals(message)) {
            queueLs(selector.protocols());
        } else if (!MultistreamCodec.NA.equals(message) && !message.isEmpty() && selector.supports(message)) {
            queue(message);
            succeed(message);
        } else {
            queue(MultistreamCodec.NA);
        }
    }

    @Override
    void completeSuccess(String protocol) {
        selected.complete(protocol);
    }

    @Override
    void completeFailure(MultistreamException failure) {
        selected.completeExceptionally(failure);
    }

    @Override
    boolean initiator() {
        return false;
    }

    @Override
    public String toString() {
        return "MultistreamListener(" + selector + ")";
    }

    /** Configures a {@link MultistreamListener}. */
    public static final class Builder {
        private final ProtocolSelector selector;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private long maxBytes = DEFAULT_MAX_BYTES;
        private BiConsumer<Channel, String> onSelected;

        private Builder(ProtocolSelector selector) {
            this.selector = Objects.requireNonNull(selector, "selector");
        }

        /** Time allowed for the negotiation, counted from channel activation; zero for none. Default 10 s. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Most proposals ({@code ls} and repeated headers included) the remote may make. Default 64. */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be positive");
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** Most bytes of negotiation messages the remote may send. Default 32 KiB. */
        public Builder maxBytes(long maxBytes) {
            if (maxBytes < MultistreamCodec.MAX_MESSAGE_LENGTH) {
                throw new IllegalArgumentException("maxBytes must be at least " + MultistreamCodec.MAX_MESSAGE_LENGTH);
            }
            this.maxBytes = maxBytes;
            return this;
        }

        /**
         * Runs on the event loop once a protocol is agreed and its echo written, before the future
         * completes and before buffered bytes are passed on; the place to install the protocol's
         * handlers. If it throws, the negotiation fails and the channel is closed.
         */
        public Builder onSelected(BiConsumer<Channel, String> onSelected) {
            this.onSelected = onSelected;
            return this;
        }

        /** Creates the handler. */
        public MultistreamListener build() {
            return new MultistreamListener(this);
        }
    }
}
