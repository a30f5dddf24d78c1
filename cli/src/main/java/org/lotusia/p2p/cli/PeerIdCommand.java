package org.lotusia.p2p.cli;

import org.lotusia.libp2p.crypto.IdentityFile;
import org.lotusia.libp2p.crypto.PrivateKey;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code lotus-p2p peer-id FILE}: prints the peer id of an identity file. */
@Command(name = "peer-id", mixinStandardHelpOptions = true,
        description = "Print the peer id of a node identity file.")
final class PeerIdCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "Identity file written by keygen or a js-libp2p node.")
    Path file;

    @CommandLine.Option(names = "--cid", description = "Print the CIDv1 (base32) form instead of base58btc.")
    boolean cid;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrivateKey key = IdentityFile.load(file);
        var peerId = key.publicKey().peerId();
        spec.commandLine().getOut().println(cid ? peerId.toCidString() : peerId.toString());
        return 0;
    }
}
