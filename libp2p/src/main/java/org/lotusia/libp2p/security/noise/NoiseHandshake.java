package org.lotusia.libp2p.security.noise;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PublicKey;
import org.lotusia.libp2p.security.SecureSession;
import org.lotusia.libp2p.security.SecurityHandshakeException;
import org.lotusia.libp2p.security.SecurityHandshakeException.Reason;
import org.lotusia.libp2p.security.noise.pb.NoiseProto.NoiseExtensions;
import org.lotusia.libp2p.security.noise.pb.NoiseProto.NoiseHandshakePayload;

/**
 * The libp2p Noise handshake ({@code /noise}, XX pattern) as a transport-independent state machine, exactly as
 * js-libp2p 3.x runs it: empty prologue; message 1 is the initiator's ephemeral key alone (32 bytes, no
 * payload); messages 2 and 3 carry a {@code NoiseHandshakePayload} with the identity key, the identity
 * signature over {@code "noise-libp2p-static-key:" || static key}, and optionally
 * {@code extensions.stream_muxers} for early muxer negotiation (omitted when the local muxer list is empty).
 *
 * <p>Use: while not {@link #isComplete()}: if {@link #isWriteTurn()} send {@link #writeMessage()} as one
 * frame, else pass the next frame to {@link #readMessage}. Then take {@link #session()}, {@link #sender()} and
 * {@link #receiver()}. Framing (2-byte big-endian length) is the caller's job. Any failure throws
 * {@link SecurityHandshakeException} and leaves the handshake unusable. Not thread-safe.
 *
 * <p>Early muxer selection: when both sides sent a non-empty list, the muxer is the first entry of the
 * <em>initiator's</em> list that the responder also lists (the spec rule, which js follows as responder; js as
 * initiator takes the first of the responder's list it supports, which agrees whenever both offer one muxer
 * or order them alike); no common entry fails the handshake ({@link Reason#NO_COMMON_MUXER}). When this side
 * sent no list, no muxer is selected even if the remote sent one: the remote then runs multistream-select.
 */
public final class NoiseHandshake {
    /** The multistream-select protocol id. */
    public static final String PROTOCOL_ID = "/noise";
    /** Largest Noise message (handshake or transport), bounded by the 2-byte length prefix. */
    public static final int MAX_MESSAGE_LENGTH = 65535;
    /** Largest plaintext per transport message: {@value #MAX_MESSAGE_LENGTH} minus the 16-byte tag. */
    public static final int MAX_PLAINTEXT_LENGTH = MAX_MESSAGE_LENGTH - ChaChaPolyAead.TAG_LENGTH;
    /** Most muxer ids accepted from a remote's list. */
    public static final int MAX_MUXERS = 32;
    /** Longest muxer id accepted (multistream-select's limit). */
    public static final int MAX_MUXER_ID_LENGTH = 1024;
    private static final int MAX_SIGNATURE_LENGTH = 2048;

    private final boolean initiator;
    private final NoiseIdentity identity;
    private final List<String> localMuxers;
    private final PeerId expectedRemote;
    private final NoiseXX xx;
    private final byte[] localPayload;

    private boolean failed;
    private PublicKey remoteKey;
    private List<String> remoteMuxers = List.of();
    private String selectedMuxer;
    private CipherState sender;
    private CipherState receiver;
    private SecureSession session;

    /**
     * @param initiator      whether this side dialled (sends message 1)
     * @param identity       this node's credentials
     * @param localMuxers    stream muxer ids to advertise for early negotiation, in preference order; empty = send
     *                       no extension (muxer negotiated by multistream-select afterwards)
     * @param expectedRemote the peer we dialled, or null to accept any authenticated peer
     */
    public NoiseHandshake(boolean initiator, NoiseIdentity identity, List<String> localMuxers, PeerId expectedRemote) {
        this(initiator, identity, localMuxers, expectedRemote, null, ChaChaPolyAead.newInstance());
    }

    NoiseHandshake(boolean initiator, NoiseIdentity identity, List<String> localMuxers, PeerId expectedRemote,
            byte[] ephemeralPrivate, ChaChaPolyAead aead) {
        this.initiator = initiator;
        this.identity = Objects.requireNonNull(identity, "identity");
        this.localMuxers = validateLocalMuxers(localMuxers);
        this.expectedRemote = expectedRemote;
        this.xx = new NoiseXX(initiator, new byte[0], identity.staticPrivateUnsafe(), identity.staticPublicUnsafe(),
                ephemeralPrivate, aead);
        this.localPayload = encodePayload(identity, this.localMuxers);
        if (NoiseXX.messageLength(1, localPayload.length) > MAX_MESSAGE_LENGTH) {
            throw new IllegalArgumentException("handshake payload too large: " + localPayload.length + " bytes");
        }
    }

    static List<String> validateLocalMuxers(List<String> muxers) {
        List<String> copy = List.copyOf(Objects.requireNonNull(muxers, "localMuxers"));
        for (String m : copy) {
            if (m.isEmpty() || m.length() > MAX_MUXER_ID_LENGTH) {
                throw new IllegalArgumentException("invalid muxer id: '" + m + "'");
            }
        }
        return copy;
    }

    static byte[] encodePayload(NoiseIdentity identity, List<String> muxers) {
        NoiseHandshakePayload.Builder b = NoiseHandshakePayload.newBuilder()
                .setIdentityKey(identity.identityKeyBytes())
                .setIdentitySig(identity.signatureBytes());
        if (!muxers.isEmpty()) {
            b.setExtensions(NoiseExtensions.newBuilder().addAllStreamMuxers(muxers));
        }
        return b.build().toByteArray();
    }

    /** Whether this side is the initiator. */
    public boolean isInitiator() {
        return initiator;
    }

    /** Whether all three messages have been exchanged and the session is available. */
    public boolean isComplete() {
        return session != null;
    }

    /** Whether the next step is {@link #writeMessage()} (false: wait for and read a message, or complete). */
    public boolean isWriteTurn() {
        return !failed && xx.isWriteTurn();
    }

    /** The number of the next message (1, 2 or 3), or 4 when complete. */
    public int nextMessageNumber() {
        return xx.messageIndex() + 1;
    }

    /**
     * Produces the next handshake message (without framing). Message 1 is 32 bytes.
     *
     * @throws IllegalStateException if it is not this side's turn to write
     */
    public byte[] writeMessage() {
        checkUsable();
        int index = xx.messageIndex();
        byte[] payload = index == 0 ? new byte[0] : localPayload;
        byte[] out = new byte[NoiseXX.messageLength(index, payload.length)];
        xx.writeMessage(payload, 0, payload.length, out, 0);
        if (xx.isComplete()) {
            finish();
        }
        return out;
    }

    /**
     * Consumes the next handshake message {@code msg[off..off+len)} (one frame's content).
     *
     * @throws SecurityHandshakeException if the message is malformed, fails to decrypt, carries an invalid
     *     identity proof, authenticates an unexpected peer, or muxer negotiation fails
     * @throws IllegalStateException if it is not this side's turn to read
     */
    public void readMessage(byte[] msg, int off, int len) {
        checkUsable();
        if (isWriteTurn() || xx.isComplete()) {
            throw new IllegalStateException("not expecting a handshake message now");
        }
        int index = xx.messageIndex();
        try {
            if (len > MAX_MESSAGE_LENGTH) {
                throw new SecurityHandshakeException(Reason.MALFORMED_MESSAGE,
                        "Noise handshake message " + (index + 1) + " too long: " + len + " bytes");
            }
            if (index == 0 && len != NoiseXX.DH_LEN) {
                throw new SecurityHandshakeException(Reason.MALFORMED_MESSAGE,
                        "Noise handshake message 1 must be exactly 32 bytes (ephemeral key, no payload), got " + len);
            }
            byte[] payload = new byte[len];
            int n;
            try {
                n = xx.readMessage(msg, off, len, payload, 0);
            } catch (AEADBadTagException e) {
                throw new SecurityHandshakeException(Reason.DECRYPT_FAILED, "Noise handshake message " + (index + 1)
                        + " failed authentication (corrupted, or not part of this handshake)", e);
            }
            if (index > 0) {
                processRemotePayload(payload, n);
            }
            if (xx.isComplete()) {
                finish();
            }
        } catch (RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    private void processRemotePayload(byte[] bytes, int len) {
        NoiseHandshakePayload p;
        try {
            p = NoiseHandshakePayload.parseFrom(ByteBuffer.wrap(bytes, 0, len));
        } catch (InvalidProtocolBufferException e) {
            throw new SecurityHandshakeException(Reason.MALFORMED_MESSAGE, "invalid Noise handshake payload", e);
        }
        ByteString keyBytes = p.getIdentityKey();
        ByteString sigBytes = p.getIdentitySig();
        if (keyBytes.isEmpty()) {
            throw new SecurityHandshakeException(Reason.MALFORMED_MESSAGE, "Noise handshake payload has no identity key");
        }
        if (keyBytes.size() > Keys.MAX_MARSHALLED_KEY_BYTES) {
            throw new SecurityHandshakeException(Reason.MALFORMED_MESSAGE,
                    "identity key too large: " + keyBytes.size() + " bytes");
        }
        if (sigBytes.isEmpty() || sigBytes.size() > MAX_SIGNATURE_LENGTH) {
            throw new SecurityHandshakeException(Reason.BAD_SIGNATURE,
                    "Noise handshake payload has " + (sigBytes.isEmpty() ? "no" : "an oversized") + " identity signature");
        }
        remoteKey = verifyIdentity(keyBytes.toByteArray(), sigBytes.toByteArray(), xx.remoteStatic());
        PeerId remotePeer = remoteKey.peerId();
        if (expectedRemote != null && !expectedRemote.equals(remotePeer)) {
            throw new SecurityHandshakeException(Reason.PEER_ID_MISMATCH,
                    "peer id mismatch: dialled " + expectedRemote + " but the remote authenticated as " + remotePeer);
        }
        if (p.hasExtensions()) {
            remoteMuxers = validateRemoteMuxers(p.getExtensions().getStreamMuxersList());
        }
        if (!localMuxers.isEmpty() && !remoteMuxers.isEmpty()) {
            selectedMuxer = initiator ? selectMuxer(localMuxers, remoteMuxers) : selectMuxer(remoteMuxers, localMuxers);
            if (selectedMuxer == null) {
                throw new SecurityHandshakeException(Reason.NO_COMMON_MUXER, "no stream muxer in common: local "
                        + localMuxers + ", remote " + remoteMuxers);
            }
        }
    }

    private static PublicKey verifyIdentity(byte[] keyBytes, byte[] sig, byte[] remoteStatic) {
        ByteBuffer cacheKey = VerifiedIdentities.key(keyBytes, sig, remoteStatic);
        if (cacheKey != null) {
            PublicKey cached = VerifiedIdentities.SHARED.get(cacheKey);
            if (cached != null) {
                return cached;
            }
        }
        PublicKey key;
        try {
            key = Keys.unmarshalPublicKey(keyBytes);
        } catch (Libp2pException | UnsupportedOperationException e) {
            throw new SecurityHandshakeException(Reason.MALFORMED_MESSAGE,
                    "invalid identity key in Noise handshake payload: " + e.getMessage(), e);
        }
        if (!key.verify(NoiseIdentity.signedData(remoteStatic), sig)) {
            throw new SecurityHandshakeException(Reason.BAD_SIGNATURE,
                    "identity signature of " + key.peerId() + " over its Noise static key does not verify");
        }
        if (cacheKey != null) {
            VerifiedIdentities.SHARED.put(cacheKey, key);
        }
        return key;
    }

    private static List<String> validateRemoteMuxers(List<String> muxers) {
        if (muxers.size() > MAX_MUXERS) {
            throw new SecurityHandshakeException(Reason.MALFORMED_MESSAGE,
                    "remote advertised " + muxers.size() + " stream muxers, more than " + MAX_MUXERS);
        }
        List<String> out = new ArrayList<>(muxers.size());
        for (String m : muxers) {
            if (m.length() > MAX_MUXER_ID_LENGTH) {
                throw new SecurityHandshakeException(Reason.MALFORMED_MESSAGE, "remote stream muxer id too long");
            }
            out.add(m);
        }
        return List.copyOf(out);
    }

    /** The first entry of {@code initiatorList} that {@code responderList} contains, or null. */
    static String selectMuxer(List<String> initiatorList, List<String> responderList) {
        for (String m : initiatorList) {
            if (responderList.contains(m)) {
                return m;
            }
        }
        return null;
    }

    private void finish() {
        ChaChaPolyAead reuse = xx.handshakeAead();
        CipherState[] c = xx.split(reuse, ChaChaPolyAead.newInstance(reuse.kind()));
        sender = c[0];
        receiver = c[1];
        session = new SecureSession(PROTOCOL_ID, identity.peerId(), remoteKey.peerId(), remoteKey, remoteMuxers,
                selectedMuxer, initiator);
    }

    private void checkUsable() {
        if (failed) {
            throw new IllegalStateException("handshake already failed");
        }
    }

    /** The established session. @throws IllegalStateException before completion */
    public SecureSession session() {
        requireComplete();
        return session;
    }

    /** The cipher for messages this side sends. @throws IllegalStateException before completion */
    public CipherState sender() {
        requireComplete();
        return sender;
    }

    /** The cipher for messages this side receives. @throws IllegalStateException before completion */
    public CipherState receiver() {
        requireComplete();
        return receiver;
    }

    /** The final handshake hash (channel binding value). @throws IllegalStateException before completion */
    public byte[] handshakeHash() {
        requireComplete();
        return xx.handshakeHash();
    }

    /** The remote's identity key, once its payload has been verified (message 2 or 3), else null. */
    public PublicKey remotePublicKey() {
        return remoteKey;
    }

    private void requireComplete() {
        if (session == null) {
            throw new IllegalStateException("Noise handshake not complete");
        }
    }
}
