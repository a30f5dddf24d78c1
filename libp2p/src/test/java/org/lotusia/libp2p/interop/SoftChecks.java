package org.lotusia.libp2p.interop;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Collects check failures over many vector cases so that one run reports all of them, not just the first.
 * A check that throws counts as a failure of that check; {@link #assertNone} fails the test listing them.
 */
public final class SoftChecks {
    /** A check body that may throw anything. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    private static final int MAX_LISTED = 40;
    private final List<String> failures = new ArrayList<>();
    private int checks;

    /** Records a failure when {@code expected} and {@code actual} differ ({@link Objects#equals}). */
    public void equal(String where, String what, Object expected, Object actual) {
        checks++;
        if (!Objects.equals(expected, actual)) {
            failures.add(where + ": " + what + "\n      expected: " + expected + "\n      actual:   " + actual);
        }
    }

    /** Records a failure when {@code condition} is false. */
    public void isTrue(String where, String what, boolean condition) {
        checks++;
        if (!condition) {
            failures.add(where + ": " + what);
        }
    }

    /** Runs {@code body}; an exception it throws is recorded as a failure of {@code what}. Returns true if it passed. */
    public boolean run(String where, String what, Body body) {
        checks++;
        int before = failures.size();
        try {
            body.run();
        } catch (Exception | AssertionError e) {
            failures.add(where + ": " + what + " threw " + e);
        }
        return failures.size() == before;
    }

    public int checks() {
        return checks;
    }

    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** Fails with the list of recorded failures (first {@value #MAX_LISTED}) unless there are none. */
    public void assertNone(String title) {
        if (failures.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder(title).append(": ").append(failures.size()).append(" failed check(s)");
        failures.stream().limit(MAX_LISTED).forEach(f -> sb.append("\n  - ").append(f));
        if (failures.size() > MAX_LISTED) {
            sb.append("\n  ... ").append(failures.size() - MAX_LISTED).append(" more");
        }
        throw new AssertionError(sb.toString());
    }
}
