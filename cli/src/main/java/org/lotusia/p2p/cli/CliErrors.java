package org.lotusia.p2p.cli;

import org.lotusia.libp2p.Libp2pException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns failures of a command into one readable line on stderr and a non-zero exit status; stack
 * traces only with {@code LOTUS_P2P_DEBUG=1}, because users need the reason, not the call path.
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler {
    /** Exit status for failures caused by the user's input or environment. */
    static final int USER_ERROR = 1;

    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        commandLine.getErr().println(commandLine.getColorScheme().errorText("error: " + describe(ex)));
        if ("1".equals(System.getenv("LOTUS_P2P_DEBUG"))) {
            ex.printStackTrace(commandLine.getErr());
        }
        return USER_ERROR;
    }

    static String describe(Throwable ex) {
        while ((ex instanceof UncheckedIOException || ex instanceof CompletionException
                || ex instanceof ExecutionException) && ex.getCause() != null) {
            ex = ex.getCause();
        }
        String message = ex.getMessage();
        if (ex instanceof Libp2pException || ex instanceof IllegalArgumentException) {
            return message;
        }
        if (ex instanceof IOException) {
            return ex.getClass().getSimpleName() + ": " + message;
        }
        return message == null ? ex.toString() : message;
    }
}
