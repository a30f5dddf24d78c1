package org.lotusia.libp2p.security.noise;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

class NoiseHashTest {
    private static byte[] jcaHmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    @Property(tries = 300)
    void hmacMatchesJca(@ForAll @Size(32) byte[] key, @ForAll @Size(max = 300) byte[] data) throws Exception {
        NoiseHash h = new NoiseHash();
        byte[] out = new byte[32];
        h.hmac(key, data, 0, data.length, null, 0, 0, out);
        assertThat(out).isEqualTo(jcaHmac(key, data));
    }

    @Property(tries = 200)
    void hkdfFollowsTheNoiseDefinition(@ForAll @Size(32) byte[] ck, @ForAll @Size(max = 64) byte[] ikm) throws Exception {
        byte[] temp = jcaHmac(ck, ikm);
        byte[] o1 = jcaHmac(temp, new byte[] {1});
        byte[] in2 = new byte[33];
        System.arraycopy(o1, 0, in2, 0, 32);
        in2[32] = 2;
        byte[] o2 = jcaHmac(temp, in2);

        NoiseHash h = new NoiseHash();
        byte[] ckCopy = ck.clone();
        byte[] out2 = new byte[32];
        h.hkdf(ckCopy, ikm, 0, ikm.length, ckCopy, out2); // out1 aliases ck, as MixKey does
        assertThat(HexFormat.of().formatHex(ckCopy)).isEqualTo(HexFormat.of().formatHex(o1));
        assertThat(out2).isEqualTo(o2);
    }
}
