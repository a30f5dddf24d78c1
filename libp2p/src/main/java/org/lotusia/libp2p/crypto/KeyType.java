package org.lotusia.libp2p.crypto;

/**
 * The key types of the libp2p key protobuf ({@code KeyType} enum of the peer-ids spec). The numbers
 * are wire values: they are written into every marshalled key and therefore into peer ids.
 */
public enum KeyType {
    /** RSA; public key is DER SubjectPublicKeyInfo, private key PKCS#1 DER, signatures PKCS#1 v1.5 SHA-256. */
    RSA(0),
    /** Ed25519 (RFC 8032); 32-byte public key, 64-byte {@code seed || public} private key. */
    ED25519(1),
    /** ECDSA over secp256k1 with SHA-256; 33-byte compressed public key, 32-byte private scalar, DER signatures. */
    SECP256K1(2),
    /** ECDSA over a NIST curve with SHA-256; DER SubjectPublicKeyInfo public key, SEC1 DER private key. */
    ECDSA(3);

    private final int number;

    KeyType(int number) {
        this.number = number;
    }

    /** Returns the protobuf enum value of this key type. */
    public int number() {
        return number;
    }

    /**
     * Returns the key type with the given protobuf enum value.
     *
     * @throws KeyFormatException if the number is not a known key type
     */
    public static KeyType fromNumber(int number) {
        return switch (number) {
            case 0 -> RSA;
            case 1 -> ED25519;
            case 2 -> SECP256K1;
            case 3 -> ECDSA;
            default -> throw new KeyFormatException("unsupported key type " + number);
        };
    }
}
