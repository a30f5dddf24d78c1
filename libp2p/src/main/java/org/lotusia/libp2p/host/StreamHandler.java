package org.lotusia.libp2p.host;

/**
 * Serves one protocol on streams a remote peer opens. Called on the stream's event loop once
 * multistream-select has agreed on the protocol; the handler installs what it needs in the stream's
 * pipeline (bytes that arrived together with the negotiation reach the pipeline after this returns).
 * It must not block.
 */
@FunctionalInterface
public interface StreamHandler {
    /** Takes over a freshly negotiated inbound stream. */
    void handle(Libp2pStream stream);
}
