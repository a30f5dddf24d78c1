package org.lotusia.p2p.cli;

import java.io.PrintWriter;
import java.util.Locale;

/** The readable report of {@code lotus-p2p demo}: numbered sections of ✓ / ✗ lines, printed as they happen. */
final class DemoReport {
    private final PrintWriter out;
    private int sections;

    DemoReport(PrintWriter out) {
        this.out = out;
    }

    void title(String text) {
        line(text);
        line("=".repeat(text.length()));
    }

    void section(String title) {
        line("");
        line(++sections + ". " + title);
    }

    void ok(String text) {
        line("   ✓ " + text);
    }

    void info(String text) {
        line("     " + text);
    }

    void failed(String text) {
        line("   ✗ " + text);
    }

    void blank() {
        line("");
    }

    void line(String text) {
        out.println(text);
        out.flush();
    }

    /** Milliseconds since {@code startNanos}, e.g. {@code 3.2 ms}. */
    static String ms(long startNanos, long endNanos) {
        return String.format(Locale.ROOT, "%.1f ms", (endNanos - startNanos) / 1e6);
    }

    static String ms(double millis) {
        return String.format(Locale.ROOT, "%.1f ms", millis);
    }
}
