package org.lotusia.p2p.cli;

import org.lotusia.libp2p.crypto.IdentityFile;
import org.lotusia.libp2p.crypto.KeyType;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PrivateKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code lotus-p2p keygen}: creates a node identity file and prints its peer id. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Generate a node identity (libp2p protobuf private key, owner-only file) and print its peer id.")
final class KeygenCommand implements Callable<Integer> {

    /** Key types a node identity may use; ECDSA and RSA are only verified, never generated. */
    enum IdentityKeyType {
        ed25519(KeyType.ED25519), secp256k1(KeyType.SECP256K1);

        final KeyType keyType;

        IdentityKeyType(KeyType keyType) {
            this.keyType = keyType;
        }
    }

    @Option(names = "--type", defaultValue = "ed25519",
            description = "Key type: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    IdentityKeyType type;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the private key.")
    Path out;

    @Option(names = "--force", description = "Overwrite FILE if it exists (the old identity is lost).")
    boolean force;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out) && !force) {
            throw new IllegalArgumentException(out + " already exists; refusing to replace an identity (use --force)");
        }
        PrivateKey key = Keys.generate(type.keyType);
        IdentityFile.save(out, key);
        spec.commandLine().getOut().println(key.publicKey().peerId());
        return 0;
    }
}
