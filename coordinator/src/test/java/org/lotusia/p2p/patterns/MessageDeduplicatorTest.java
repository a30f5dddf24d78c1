package org.lotusia.p2p.patterns;

import org.junit.jupiter.api.Test;
import org.lotusia.p2p.message.P2PMessage;
import org.lotusia.p2p.message.P2PProtocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageDeduplicatorTest {
    private static P2PMessage m(String id) {
        return P2PMessage.builder().type("t").from("p").messageId(id).timestamp(1).build();
    }

    @Test
    void reportsDuplicatesByReferenceHashAndEvictsTheOldestLikeTheGuide() {
        MessageDeduplicator d = new MessageDeduplicator();
        assertThat(d.isDuplicate(m("a"))).isFalse();
        assertThat(d.isDuplicate(m("a").withTimestamp(2))).as("timestamp not hashed").isTrue();
        assertThat(d.isDuplicate(P2PProtocol.messageHash(m("a")))).isTrue();
        assertThat(d.isDuplicate(m("a").withTo("x"))).isFalse();
        assertThat(d.duplicates()).isEqualTo(2);

        MessageDeduplicator small = new MessageDeduplicator(10, 3);
        for (int i = 0; i < 10; i++) {
            assertThat(small.isDuplicate(m("m" + i))).isFalse();
        }
        assertThat(small.size()).isEqualTo(10);
        assertThat(small.isDuplicate(m("m10"))).isFalse();
        assertThat(small.size()).isEqualTo(8); // 11 > 10: the 3 oldest went
        assertThat(small.isDuplicate(m("m0"))).isFalse();
        assertThat(small.isDuplicate(m("m5"))).isTrue();
        small.clear();
        assertThat(small.size()).isZero();
        assertThatThrownBy(() -> new MessageDeduplicator(5, 6)).isInstanceOf(IllegalArgumentException.class);
    }
}
