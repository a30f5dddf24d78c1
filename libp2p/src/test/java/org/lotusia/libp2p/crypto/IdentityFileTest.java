package org.lotusia.libp2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityFileTest {
    @TempDir
    Path dir;

    @Test
    void saveAndLoadRoundTripWithOwnerOnlyPermissions() throws IOException {
        Path file = dir.resolve("identity.key");
        PrivateKey key = Keys.generateEd25519();
        IdentityFile.save(file, key);
        assertThat(Files.readAllBytes(file)).isEqualTo(key.marshal());
        assertThat(IdentityFile.load(file)).isEqualTo(key);
        assumePosix();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(listDir()).containsExactly("identity.key");
    }

    @Test
    void saveReplacesAtomicallyAndKeepsPermissions() throws IOException {
        Path file = dir.resolve("id");
        IdentityFile.save(file, Keys.generateEd25519());
        PrivateKey second = Keys.generate(KeyType.SECP256K1);
        IdentityFile.save(file, second);
        assertThat(IdentityFile.load(file)).isEqualTo(second);
        assertThat(listDir()).containsExactly("id");
        assumePosix();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void loadOrCreateCreatesOnceThenLoads() throws IOException {
        Path file = dir.resolve("nested/deeper/identity.key");
        PrivateKey created = IdentityFile.loadOrCreate(file, KeyType.ED25519);
        assertThat(created.type()).isEqualTo(KeyType.ED25519);
        assertThat(IdentityFile.loadOrCreate(file, KeyType.ED25519)).isEqualTo(created);
        assertThat(IdentityFile.loadOrCreate(file, KeyType.SECP256K1)).isEqualTo(created);
        try (Stream<Path> s = Files.list(file.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("identity.key");
        }
        assumePosix();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    }

    @Test
    void concurrentLoadOrCreateAgreesOnOneKey() throws Exception {
        Path file = dir.resolve("race.key");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<PrivateKey>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                futures.add(pool.submit(() -> IdentityFile.loadOrCreate(file, KeyType.ED25519)));
            }
            PrivateKey first = futures.get(0).get();
            for (Future<PrivateKey> f : futures) {
                assertThat(f.get()).isEqualTo(first);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(IdentityFile.load(file)).isNotNull();
        assertThat(listDir()).containsExactly("race.key");
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("nope.key");
        assertThatThrownBy(() -> IdentityFile.load(file))
                .isInstanceOf(IdentityFileException.class).hasMessageContaining("does not exist").hasMessageContaining("nope.key");
    }

    @Test
    void emptyFileIsNotReplacedByLoadOrCreate() throws IOException {
        Path file = Files.createFile(dir.resolve("empty.key"));
        assertThatThrownBy(() -> IdentityFile.load(file))
                .isInstanceOf(IdentityFileException.class).hasMessageContaining("is empty");
        assertThatThrownBy(() -> IdentityFile.loadOrCreate(file, KeyType.ED25519))
                .isInstanceOf(IdentityFileException.class).hasMessageContaining("is empty");
        assertThat(Files.size(file)).isZero();
    }

    @Test
    void corruptFileIsAnErrorAndIsNeverOverwritten() throws IOException {
        Path file = dir.resolve("corrupt.key");
        byte[] bytes = Keys.generateEd25519().marshal();
        bytes[bytes.length - 1] ^= 1; // embedded public key no longer matches the seed
        Files.write(file, bytes);
        assertThatThrownBy(() -> IdentityFile.load(file))
                .isInstanceOf(IdentityFileException.class)
                .hasMessageContaining("corrupt.key").hasMessageContaining("not a valid libp2p PrivateKey")
                .hasCauseInstanceOf(KeyFormatException.class);
        assertThatThrownBy(() -> IdentityFile.loadOrCreate(file, KeyType.ED25519)).isInstanceOf(IdentityFileException.class);
        assertThat(Files.readAllBytes(file)).isEqualTo(bytes);

        Files.write(file, new byte[] {0x08, 0x01, 0x12});
        assertThatThrownBy(() -> IdentityFile.load(file)).isInstanceOf(IdentityFileException.class);
    }

    @Test
    void pemFileIsRecognised() throws IOException {
        Path file = dir.resolve("key.pem");
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIC1tZXJrbGUtdHJlZS1zZWVkLWJ5dGVzLWZvci10ZXN0\n"
                + "-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> IdentityFile.load(file))
                .isInstanceOf(IdentityFileException.class).hasMessageContaining("PEM");
    }

    @Test
    void textFileIsRecognised() throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"identity\": \"12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq\"}\n",
                StandardCharsets.UTF_8);
        assertThatThrownBy(() -> IdentityFile.load(file))
                .isInstanceOf(IdentityFileException.class).hasMessageContaining("text");
    }

    @Test
    void publicKeyFileIsNotAPrivateKey() throws IOException {
        Path file = dir.resolve("pub.key");
        Files.write(file, Keys.generateEd25519().publicKey().marshal());
        assertThatThrownBy(() -> IdentityFile.load(file)).isInstanceOf(IdentityFileException.class);
    }

    @Test
    void oversizedFileIsRejectedWithoutReadingItAll() throws IOException {
        Path file = dir.resolve("big.bin");
        Files.write(file, new byte[1 << 20]);
        assertThatThrownBy(() -> IdentityFile.load(file))
                .isInstanceOf(IdentityFileException.class).hasMessageContaining("larger than");
    }

    @Test
    void directoryIsRejected() {
        assertThatThrownBy(() -> IdentityFile.load(dir))
                .isInstanceOf(IdentityFileException.class).hasMessageContaining("directory");
        assertThatThrownBy(() -> IdentityFile.loadOrCreate(dir, KeyType.ED25519))
                .isInstanceOf(IdentityFileException.class).hasMessageContaining("directory");
    }

    @Test
    void everyKeyTypeRoundTrips() {
        for (PrivateKey key : KeysTest.KEYS) {
            Path file = dir.resolve(key.type() + "-" + key.publicKey().peerId());
            IdentityFile.save(file, key);
            assertThat(IdentityFile.load(file)).isEqualTo(key);
        }
    }

    @Test
    void legacyEd25519FileLoads() throws IOException {
        PrivateKey key = Keys.generateEd25519();
        byte[] raw = key.raw();
        byte[] legacy = java.util.Arrays.copyOf(raw, 96);
        System.arraycopy(raw, 32, legacy, 64, 32);
        byte[] file = new byte[4 + 96];
        file[0] = 0x08;
        file[1] = 0x01;
        file[2] = 0x12;
        file[3] = 96;
        System.arraycopy(legacy, 0, file, 4, 96);
        Path p = Files.write(dir.resolve("legacy.key"), file);
        assertThat(IdentityFile.load(p)).isEqualTo(key);
    }

    private List<String> listDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    private void assumePosix() throws IOException {
        assumeThat(Files.getFileStore(dir).supportsFileAttributeView("posix")).as("POSIX file system").isTrue();
    }
}
