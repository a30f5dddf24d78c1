package org.lotusia.p2p.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.Version;

import static org.assertj.core.api.Assertions.assertThat;

class HelpAndVersionTest {

    @Test
    void versionNamesTheProjectVersionAndTheJavaRuntime() {
        CliRun run = CliRun.of("--version");

        assertThat(run.exitCode()).isZero();
        assertThat(Version.current()).isNotEqualTo("unknown");
        assertThat(run.out()).contains("lotus-p2p " + Version.current()).contains("Java " + Runtime.version().feature());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "keygen", "peer-id", "node", "demo", "ping", "perf"})
    void everyCommandHasHelp(String command) {
        CliRun run = command.isEmpty() ? CliRun.of("--help") : CliRun.of(command, "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: lotus-p2p");
    }

    @Test
    void noCommandIsAUsageError() {
        CliRun run = CliRun.of();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("missing command").contains("keygen");
    }
}
