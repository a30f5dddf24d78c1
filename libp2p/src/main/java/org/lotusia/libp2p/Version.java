package org.lotusia.libp2p;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of this library, as built by Maven, and the agent string it announces to peers. */
public final class Version {
    private static final String VERSION = load();

    private Version() {
    }

    /** The project version, for example {@code 0.1.0-SNAPSHOT}. */
    public static String current() {
        return VERSION;
    }

    /** The agent version sent in identify: {@code lotus-p2p-java/<version>}. */
    public static String agentVersion() {
        return "lotus-p2p-java/" + VERSION;
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            String value = properties.getProperty("version", "unknown");
            // An unfiltered resource (running from an IDE without Maven) still holds the placeholder.
            return value.startsWith("${") ? "unknown" : value;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the library version resource", e);
        }
    }
}
