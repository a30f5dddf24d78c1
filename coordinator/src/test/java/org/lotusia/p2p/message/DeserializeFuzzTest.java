package org.lotusia.p2p.message;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Random and mutated bytes: deserialize either returns a message or throws MessageFormatException, nothing else. */
class DeserializeFuzzTest {
    private static final P2PProtocol PROTOCOL = new P2PProtocol(Clock.systemUTC(), new Random(3), 4096, 16);
    private static final byte[] SEED = ("{\"type\":\"chat\",\"from\":\"12D3KooWA\",\"to\":\"12D3KooWB\",\"payload\":{\"a\":[1,2.5,"
            + "\"s\\u00e9\",null,true,{\"b\":{}}]},\"timestamp\":1732570000000,\"messageId\":\"m5x0k2ab-9f1c0e0011223344\","
            + "\"signature\":{\"type\":\"Buffer\",\"data\":[1]},\"protocol\":\"p\"}").getBytes(StandardCharsets.UTF_8);

    private static final String TOKENS = "{}[]\":,0e-.\\ntu";

    private static void decodeOrFormatError(byte[] bytes) {
        P2PMessage m;
        try {
            m = PROTOCOL.deserialize(bytes);
        } catch (MessageFormatException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        // anything accepted re-encodes to bytes that decode to the same encoding (numbers may change node type)
        byte[] once = PROTOCOL.serialize(m);
        assertThat(PROTOCOL.serialize(PROTOCOL.deserialize(once))).isEqualTo(once);
        PROTOCOL.computeMessageHash(m);
        PROTOCOL.validateMessage(m);
    }

    @Property(tries = 2000)
    void randomBytes(@ForAll @Size(max = 300) byte[] bytes) {
        decodeOrFormatError(bytes);
    }

    @Property(tries = 3000)
    void mutatedMessages(@ForAll("mutations") byte[] bytes) {
        decodeOrFormatError(bytes);
    }

    @Property(tries = 500)
    void randomJsonishText(@ForAll("jsonish") String text) {
        decodeOrFormatError(text.getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<byte[]> mutations() {
        return Arbitraries.integers().between(1, 8).flatMap(n -> Arbitraries.longs().map(seed -> {
            Random r = new Random(seed);
            byte[] b = SEED.clone();
            for (int i = 0; i < n; i++) {
                int op = r.nextInt(4);
                int at = r.nextInt(b.length);
                switch (op) {
                    case 0 -> b[at] = (byte) r.nextInt(256);
                    case 1 -> b[at] = (byte) TOKENS.charAt(r.nextInt(TOKENS.length()));
                    case 2 -> b = java.util.Arrays.copyOf(b, Math.max(0, at));
                    default -> {
                        byte[] c = new byte[b.length + 1];
                        System.arraycopy(b, 0, c, 0, at);
                        c[at] = (byte) r.nextInt(256);
                        System.arraycopy(b, at, c, at + 1, b.length - at);
                        b = c;
                    }
                }
                if (b.length == 0) {
                    break;
                }
            }
            return b;
        }));
    }

    @Provide
    Arbitrary<String> jsonish() {
        return Arbitraries.strings().withChars("{}[]\":,0123456789eE+-.truefalsnl \\/u\"typefromtimestamp")
                .ofMaxLength(200);
    }
}
