package org.lotusia.p2p.cli;

import org.lotusia.libp2p.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code lotus-p2p} command: the entry point of the runnable jar. Each sub-command is a class of
 * its own in this package.
 */
@Command(
        name = "lotus-p2p",
        mixinStandardHelpOptions = true,
        versionProvider = LotusP2pCommand.VersionProvider.class,
        description = "Lotus P2P node and tools on a Java libp2p stack.",
        subcommands = {KeygenCommand.class, PeerIdCommand.class, NodeCommand.class, DemoCommand.class, PingCommand.class,
            PerfCommand.class, CommandLine.HelpCommand.class})
public final class LotusP2pCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: choose one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** Builds the command line with the project's error handling, for {@link #main} and for tests. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new LotusP2pCommand());
        commandLine.setExecutionExceptionHandler(new CliErrors());
        return commandLine;
    }

    /** Runs the command and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Prints the project version and the Java runtime it runs on. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "lotus-p2p " + Version.current(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
            };
        }
    }
}
