package org.lotusia.p2p.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lotusia.libp2p.crypto.IdentityFile;
import org.lotusia.libp2p.crypto.KeyType;
import org.lotusia.libp2p.crypto.PeerId;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class KeyCommandsTest {

    @TempDir
    Path dir;

    @Test
    void keygenWritesAnOwnerOnlyEd25519IdentityAndPrintsItsPeerId() throws Exception {
        Path file = dir.resolve("node.key");

        CliRun run = CliRun.of("keygen", "--out", file.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        String printed = run.out().strip();
        assertThat(printed).startsWith("12D3KooW");
        assertThat(IdentityFile.load(file).publicKey().peerId()).isEqualTo(PeerId.parse(printed));
        assertThat(Files.getPosixFilePermissions(file))
                .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
    }

    @Test
    void keygenMakesSecp256k1KeysOnRequest() {
        Path file = dir.resolve("k1.key");

        CliRun run = CliRun.of("keygen", "--type", "secp256k1", "--out", file.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().strip()).startsWith("16Uiu2HA");
        assertThat(IdentityFile.load(file).type()).isEqualTo(KeyType.SECP256K1);
    }

    @Test
    void keygenRefusesToReplaceAnExistingIdentityUnlessForced() throws Exception {
        Path file = dir.resolve("node.key");
        assertThat(CliRun.of("keygen", "--out", file.toString()).exitCode()).isZero();
        byte[] original = Files.readAllBytes(file);

        CliRun refused = CliRun.of("keygen", "--out", file.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("already exists");
        assertThat(Files.readAllBytes(file)).isEqualTo(original);

        CliRun forced = CliRun.of("keygen", "--force", "--out", file.toString());
        assertThat(forced.exitCode()).isZero();
        assertThat(Files.readAllBytes(file)).isNotEqualTo(original);
    }

    @Test
    void keygenRejectsUnknownKeyTypes() {
        CliRun run = CliRun.of("keygen", "--type", "dsa", "--out", dir.resolve("x").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--type").contains("ed25519");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void peerIdPrintsTheSameIdKeygenPrinted() {
        Path file = dir.resolve("node.key");
        String generated = CliRun.of("keygen", "--out", file.toString()).out().strip();

        CliRun base58 = CliRun.of("peer-id", file.toString());
        CliRun cid = CliRun.of("peer-id", "--cid", file.toString());

        assertThat(base58.out().strip()).isEqualTo(generated);
        assertThat(cid.out().strip()).startsWith("bafzaa");
        assertThat(PeerId.parse(cid.out().strip())).isEqualTo(PeerId.parse(generated));
    }

    @Test
    void peerIdExplainsACorruptFileInOneLine() throws Exception {
        Path file = dir.resolve("not-a-key.txt");
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\nnope\n");

        CliRun run = CliRun.of("peer-id", file.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("error: ").contains(file.toString());
        assertThat(run.err().lines().count()).isEqualTo(1);
    }

    @Test
    void peerIdOfAMissingFileFailsClearly() {
        CliRun run = CliRun.of("peer-id", dir.resolve("missing.key").toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("missing.key");
    }
}
