package org.lotusia.p2p.coordinator;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffPolicyTest {
    private final BackoffPolicy policy = BackoffPolicy.defaults();

    @Test
    void doublesFromOneSecondUpToSixtySeconds() {
        assertThat(policy.delay(0, 0.5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delay(1, 0.5)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.delay(2, 0.5)).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.delay(5, 0.5)).isEqualTo(Duration.ofSeconds(32));
        assertThat(policy.delay(6, 0.5)).isEqualTo(Duration.ofSeconds(60));
        assertThat(policy.delay(1_000, 0.5)).isEqualTo(Duration.ofSeconds(60));
        assertThat(policy.delay(Integer.MAX_VALUE - 1, 0.5)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void jitterIsPlusOrMinusFifteenPercent() {
        assertThat(policy.delay(0, 0.0)).isEqualTo(Duration.ofMillis(850));
        assertThat(policy.delay(0, 0.999_999)).isEqualTo(Duration.ofMillis(1150));
        assertThat(policy.delay(10, 0.0)).isEqualTo(Duration.ofMillis(51_000));
        assertThat(policy.delay(10, 0.999_999)).isEqualTo(Duration.ofMillis(69_000));
    }

    @Test
    void defaultsMatchTheReference() {
        assertThat(policy.baseDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.maxDelay()).isEqualTo(Duration.ofSeconds(60));
        assertThat(policy.jitter()).isEqualTo(0.3);
        assertThat(policy.maxAttempts()).isEqualTo(BackoffPolicy.UNLIMITED);
        assertThat(policy.withMaxAttempts(3).maxAttempts()).isEqualTo(3);
    }

    @Test
    void rejectsInvalidSettings() {
        assertThatThrownBy(() -> new BackoffPolicy(Duration.ZERO, Duration.ofSeconds(1), 0.3, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseDelay");
        assertThatThrownBy(() -> new BackoffPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), 0.3, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDelay");
        assertThatThrownBy(() -> new BackoffPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.5, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jitter");
        assertThatThrownBy(() -> new BackoffPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.3, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> policy.delay(-1, 0.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
