package org.lotusia.p2p.cli;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads lines ({@code \n}, {@code \r\n}) of at most {@code maxChars} characters; the rest of a longer
 * line is skipped and reported as {@link #TOO_LONG}, so a runaway writer cannot exhaust memory.
 */
final class BoundedLineReader {
    /** Returned (compare by identity) for a line longer than the limit. */
    static final String TOO_LONG = new String("<line too long>");

    private final Reader in;
    private final int maxChars;
    private final char[] buffer = new char[8192];
    private int position;
    private int limit;

    BoundedLineReader(Reader in, int maxChars) {
        this.in = in;
        this.maxChars = maxChars;
    }

    /** The next line without its terminator, {@link #TOO_LONG}, or null at the end of input. */
    String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        boolean overflow = false;
        boolean any = false;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    return any ? finish(line, overflow) : null;
                }
            }
            any = true;
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            int length = position - start;
            if (!overflow) {
                if (line.length() + length > maxChars + 1) {
                    overflow = true;
                    line.setLength(0);
                } else {
                    line.append(buffer, start, length);
                }
            }
            if (position < limit) {
                position++;
                return finish(line, overflow);
            }
        }
    }

    private String finish(StringBuilder line, boolean overflow) {
        if (!overflow && line.length() > 0 && line.charAt(line.length() - 1) == '\r') {
            line.setLength(line.length() - 1);
        }
        return overflow || line.length() > maxChars ? TOO_LONG : line.toString();
    }
}
