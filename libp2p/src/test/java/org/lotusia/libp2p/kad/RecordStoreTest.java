package org.lotusia.libp2p.kad;

import org.lotusia.libp2p.testing.ManualClock;

import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.crypto.KeyType;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PrivateKey;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordStoreTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void lenientAcceptsReferenceKeysStrictRequiresANamespace() {
        RecordValidation lenient = RecordValidation.lenient();
        RecordValidation strict = RecordValidation.strict();
        byte[] key = utf8("resource:session:abc");
        assertThat(RecordValidation.namespace(key)).isEmpty();
        assertThat(lenient.isValid(key, utf8("{}"))).isTrue();
        assertThatThrownBy(() -> strict.validate(key, utf8("{}")))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("namespace");
        // a namespaced key needs a validator in both modes
        assertThat(lenient.isValid(utf8("/lotus/resource:x:y"), utf8("v"))).isFalse();
        strict.register("lotus", (k, v) -> {
            if (v.length == 0) {
                throw new InvalidRecordException("empty");
            }
        }, (k, values) -> values.get(0).length >= values.get(1).length ? 0 : 1);
        assertThat(strict.isValid(utf8("/lotus/resource:x:y"), utf8("v"))).isTrue();
        assertThat(strict.isValid(utf8("/lotus/resource:x:y"), new byte[0])).isFalse();
    }

    @Test
    void publicKeyNamespaceIsBuiltIn() {
        PrivateKey key = Keys.generate(KeyType.ED25519);
        PeerId peer = key.publicKey().peerId();
        byte[] prefix = utf8("/pk/");
        byte[] recordKey = new byte[prefix.length + peer.toBytes().length];
        System.arraycopy(prefix, 0, recordKey, 0, prefix.length);
        System.arraycopy(peer.toBytes(), 0, recordKey, prefix.length, peer.toBytes().length);
        RecordValidation validation = RecordValidation.strict();
        assertThat(validation.isValid(recordKey, key.publicKey().marshal())).isTrue();
        assertThat(validation.isValid(recordKey, Keys.generate(KeyType.ED25519).publicKey().marshal())).isFalse();
    }

    @Test
    void recordsExpireAndTheStoreIsBounded() {
        ManualClock clock = new ManualClock();
        RecordStore store = new RecordStore(RecordValidation.lenient(), Duration.ofHours(48), 3, 64, 8, clock);
        store.put(utf8("a"), utf8("1"));
        store.put(utf8("b"), utf8("2"));
        store.put(utf8("a"), utf8("3"));
        assertThat(store.get(utf8("a")).orElseThrow().value()).isEqualTo(utf8("3"));
        store.put(utf8("c"), utf8("4"));
        store.put(utf8("d"), utf8("5"));
        assertThat(store.size()).isEqualTo(3);
        assertThat(store.get(utf8("b"))).isEmpty();
        assertThatThrownBy(() -> store.put(utf8("e"), new byte[9])).isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> store.put(new byte[65], utf8("x"))).isInstanceOf(InvalidRecordException.class);
        clock.advance(Duration.ofHours(49));
        assertThat(store.get(utf8("a"))).isEmpty();
        assertThat(store.expire()).isEqualTo(2);
    }

    @Test
    void selectorKeepsTheBetterStoredRecord() {
        RecordValidation validation = RecordValidation.lenient()
                .register("n", (k, v) -> { }, (k, values) -> values.get(0)[0] >= values.get(1)[0] ? 0 : 1);
        RecordStore store = new RecordStore(validation, Duration.ofHours(1), 10, 64, 64, Clock.systemUTC());
        store.put(utf8("/n/k"), new byte[] {5});
        store.put(utf8("/n/k"), new byte[] {3});
        assertThat(store.get(utf8("/n/k")).orElseThrow().value()).containsExactly(5);
        store.put(utf8("/n/k"), new byte[] {7});
        assertThat(store.get(utf8("/n/k")).orElseThrow().value()).containsExactly(7);
    }

    @Test
    void providersExpireAndAreBounded() {
        ManualClock clock = new ManualClock();
        ProviderStore store = new ProviderStore(Duration.ofHours(48), 2, 2, clock);
        PeerId a = Keys.generate(KeyType.ED25519).publicKey().peerId();
        PeerId b = Keys.generate(KeyType.ED25519).publicKey().peerId();
        PeerId c = Keys.generate(KeyType.ED25519).publicKey().peerId();
        store.add(utf8("k"), a);
        store.add(utf8("k"), b);
        store.add(utf8("k"), c);
        assertThat(store.get(utf8("k"))).containsExactly(b, c);
        store.add(utf8("k2"), a);
        store.add(utf8("k3"), a);
        assertThat(store.keyCount()).isEqualTo(2);
        assertThat(store.get(utf8("k"))).isEmpty();
        clock.advance(Duration.ofHours(47));
        store.add(utf8("k3"), b);
        clock.advance(Duration.ofHours(2));
        assertThat(store.get(utf8("k3"))).containsExactly(b);
        assertThat(store.expire()).isEqualTo(1);
    }

    @Test
    void namespacedKeysDispatchToTheirOwnValidatorAndSelector() {
        java.util.List<String> seen = new java.util.ArrayList<>();
        RecordValidation validation = RecordValidation.lenient()
                .register("alpha", (k, v) -> seen.add("alpha:" + new String(k, StandardCharsets.UTF_8)), (k, values) -> 0)
                .register("beta", (k, v) -> {
                    seen.add("beta:" + new String(k, StandardCharsets.UTF_8));
                    if (v.length > 3) {
                        throw new InvalidRecordException("beta values are short");
                    }
                }, (k, values) -> values.get(0).length >= values.get(1).length ? 0 : 1);
        assertThat(validation.isValid(utf8("/alpha/x"), utf8("long value"))).isTrue();
        assertThat(validation.isValid(utf8("/beta/y"), utf8("long value"))).isFalse();
        assertThat(validation.isValid(utf8("/beta/y"), utf8("ok"))).isTrue();
        // a raw reference key reaches no validator and is accepted in lenient mode, even with '/' in its id
        assertThat(validation.isValid(utf8("resource:file:/a/b"), utf8("anything at all"))).isTrue();
        assertThat(validation.isValid(utf8("/gamma/z"), utf8("v"))).isFalse(); // no validator for gamma
        assertThat(seen).containsExactly("alpha:/alpha/x", "beta:/beta/y", "beta:/beta/y");
        // selectors are per namespace too: beta keeps the longer value, alpha the first offered
        assertThat(validation.select(utf8("/beta/y"), java.util.List.of(utf8("a"), utf8("abc")))).isEqualTo(1);
        assertThat(validation.select(utf8("/alpha/x"), java.util.List.of(utf8("a"), utf8("abc")))).isZero();
        RecordStore store = new RecordStore(validation, Duration.ofHours(1), 10, 64, 64, new ManualClock());
        store.put(utf8("/beta/y"), utf8("abc"));
        assertThat(store.put(utf8("/beta/y"), utf8("a")).value()).isEqualTo(utf8("abc"));
        assertThatThrownBy(() -> store.put(utf8("/beta/y"), utf8("abcd"))).isInstanceOf(InvalidRecordException.class);
    }

    @Test
    void namespacedKeyModeWrapsReferenceKeys() {
        byte[] key = KadKeys.namespaced(KadKeys.LOTUS_NAMESPACE, "resource:session:abc");
        assertThat(new String(key, StandardCharsets.UTF_8)).isEqualTo("/lotus/resource:session:abc");
        assertThat(RecordValidation.namespace(key)).contains("lotus");
        assertThat(KadKeys.unwrap("lotus", key)).contains("resource:session:abc");
        assertThat(KadKeys.unwrap("lotus", KadKeys.raw("resource:session:abc"))).isEmpty();
        assertThatThrownBy(() -> KadKeys.namespaced("a/b", "k")).isInstanceOf(IllegalArgumentException.class);
        // strict networks (newer js kad-dht) need the namespace registered; raw keys stay rejected there
        RecordValidation strict = KadKeys.acceptingNamespace(RecordValidation.strict(), KadKeys.LOTUS_NAMESPACE);
        assertThat(strict.isValid(key, utf8("{}"))).isTrue();
        assertThat(strict.isValid(KadKeys.raw("resource:session:abc"), utf8("{}"))).isFalse();
        RecordStore store = new RecordStore(strict, Duration.ofHours(1), 10, 64, 64, new ManualClock());
        store.put(key, utf8("old"));
        assertThat(store.put(key, utf8("new")).value()).isEqualTo(utf8("new")); // a newer put replaces, as for raw keys
    }
}
