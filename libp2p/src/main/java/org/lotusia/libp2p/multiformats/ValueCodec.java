package org.lotusia.libp2p.multiformats;

/**
 * Converts the value of one multiaddr protocol between its string form and its binary form.
 * Implementations validate in both directions and throw {@link InvalidMultiaddrException} with a
 * short reason; the caller adds which protocol and position it concerns.
 */
interface ValueCodec {

    /** Parses the (non-empty) string form of a value into its binary form. */
    byte[] parse(String text);

    /** Validates the binary form of a value and returns its canonical string form. */
    String format(byte[] value);
}
