package org.lotusia.p2p.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DemoCommandTest {

    @Test
    void demoRunsEveryStepAndReportsIt() {
        long start = System.nanoTime();
        CliRun run = CliRun.of("demo");
        double seconds = (System.nanoTime() - start) / 1e9;

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("1. Nodes", "2. Connections", "3. Direct message", "4. Broadcast",
                "5. Custom protocol \"chat\"", "6. Ban", "7. Summary", "every step succeeded");
        assertThat(run.out()).contains("✓ alice → bob: greeting", "round trip: min", "carol banned alice",
                "carol's dial to alice refused", "after unbanning, alice reconnected");
        assertThat(run.out()).doesNotContain("✗");
        assertThat(seconds).isLessThan(15);
    }

    @Test
    void aFailedStepIsReportedWithANonZeroExit() {
        CliRun run = CliRun.of("demo", "--step-timeout", "0");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("✗ starting the nodes did not complete within 0 ms");
        assertThat(run.err()).isEqualToIgnoringNewLines("error: demo failed: starting the nodes did not complete within 0 ms");
    }
}
