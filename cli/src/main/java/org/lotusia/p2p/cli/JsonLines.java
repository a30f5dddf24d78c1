package org.lotusia.p2p.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** Writes one JSON object per line, whole lines only, from any thread. */
final class JsonLines {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private final PrintWriter out;

    JsonLines(PrintWriter out) {
        this.out = out;
    }

    /** A fresh object to fill and {@link #emit}. */
    ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Writes {@code node} as one line and flushes. */
    synchronized void emit(ObjectNode node) {
        try {
            out.println(MAPPER.writeValueAsString(node));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        out.flush();
    }
}
