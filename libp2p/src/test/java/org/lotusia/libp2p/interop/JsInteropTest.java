package org.lotusia.libp2p.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The harness itself: Node 22 with the pinned packages, script runs, the JSON-lines channel, cleanup. */
@Tag("interop")
class JsInteropTest {
    private static final Duration T = Duration.ofSeconds(30);

    @Test
    void runsThePinnedStackOnNode22() {
        try (JsonLinesProcess js = JsInterop.startJsonLines("selftest/echo.mjs")) {
            JsonNode ready = js.awaitEvent("ready", T);
            assertThat(ready.path("withResolvers").asBoolean()).as("Promise.withResolvers (Node >= 22)").isTrue();
            JsonNode v = ready.path("versions");
            assertThat(v.path("node").asText()).startsWith("v22.");
            assertThat(v.path("libp2p").asText()).isEqualTo("3.1.0");
            assertThat(v.path("@libp2p/yamux").asText()).isEqualTo("8.0.1");
            assertThat(v.path("@chainsafe/libp2p-noise").asText()).isEqualTo("17.0.0");
            assertThat(v.path("@libp2p/peer-id").asText()).isEqualTo("6.0.4");
        }
    }

    /** Two js nodes with every service the Lotus SDK configures talk to each other (packages are compatible). */
    @Test
    void pinnedStackWorksOnItsOwn() {
        JsonNode r = JsInterop.run(Duration.ofSeconds(60), "selftest/stack.mjs").assertSuccess().json();
        assertThat(r.path("ok").asBoolean()).as(r.toString()).isTrue();
        assertThat(r.path("message").asText()).isEqualTo("hello");
    }

    @Test
    void jsonLinesCommandsEventsAndErrors() {
        JsonLinesProcess js = JsInterop.startJsonLines("selftest/echo.mjs");
        try (js) {
            js.awaitEvent("ready", T);
            JsonNode r = js.call("echo", Map.of("value", Map.of("a", 1, "text", "ü")), T);
            assertThat(r.path("value").path("text").asText()).isEqualTo("ü");

            js.call("events", Map.of("count", 3), T);
            for (int i = 0; i < 3; i++) {
                assertThat(js.awaitEvent("tick", T).path("n").asInt()).isEqualTo(i);
            }
            assertThatThrownBy(() -> js.call("fail", Map.of(), T))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("failing on request");
            assertThatThrownBy(() -> js.awaitEvent("never", Duration.ofMillis(200)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("timed out");
        }
        assertThat(js.process().isAlive()).isFalse();
        assertThat(js.events()).anyMatch(e -> "bye".equals(e.path("event").asText()));
    }

    @Test
    void scriptExitIsReportedWhileWaiting() {
        try (JsonLinesProcess js = JsInterop.startJsonLines("selftest/echo.mjs")) {
            js.awaitEvent("ready", T);
            js.send(Map.of("cmd", "exit", "code", 3));
            assertThatThrownBy(() -> js.awaitEvent("never", T))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("ended")
                    .hasMessageContaining("exit code 3");
        }
    }

    @Test
    void runCapturesOutputAndEnforcesTheTimeout() {
        JsResult ok = JsInterop.runWithInput(T, "{}", "vectors/verify.mjs").assertSuccess();
        assertThat(ok.json().path("checked").asInt()).isZero();

        JsResult bad = JsInterop.runWithInput(T, "not json", "vectors/verify.mjs");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.stdout()).contains("unusable input");

        JsResult slow = JsInterop.run(Duration.ofMillis(500), "-e", "setTimeout(() => {}, 60000)");
        assertThat(slow.timedOut()).isTrue();
        assertThat(slow.elapsed()).isLessThan(Duration.ofSeconds(20));
    }
}
