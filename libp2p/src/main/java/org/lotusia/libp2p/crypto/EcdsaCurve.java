package org.lotusia.libp2p.crypto;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;

/** The named NIST curves accepted for {@link KeyType#ECDSA} keys. */
enum EcdsaCurve {
    P256(SECObjectIdentifiers.secp256r1),
    P384(SECObjectIdentifiers.secp384r1),
    P521(SECObjectIdentifiers.secp521r1);

    final ASN1ObjectIdentifier oid;
    final ECDomainParameters domain;

    EcdsaCurve(ASN1ObjectIdentifier oid) {
        this.oid = oid;
        X9ECParameters p = CustomNamedCurves.getByOID(oid);
        this.domain = new ECDomainParameters(p.getCurve(), p.getG(), p.getN(), p.getH(), p.getSeed());
    }

    static EcdsaCurve byOid(ASN1ObjectIdentifier oid) {
        for (EcdsaCurve c : values()) {
            if (c.oid.equals(oid)) {
                return c;
            }
        }
        throw new KeyFormatException("unsupported ECDSA curve " + oid + " (supported: P-256, P-384, P-521)");
    }

    @Override
    public String toString() {
        return "P-" + name().substring(1);
    }
}
