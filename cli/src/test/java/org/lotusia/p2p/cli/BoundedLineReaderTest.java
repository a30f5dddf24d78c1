package org.lotusia.p2p.cli;

import org.junit.jupiter.api.Test;

import java.io.StringReader;

import static org.assertj.core.api.Assertions.assertThat;

class BoundedLineReaderTest {

    @Test
    void readsLinesAndSkipsTheRestOfOverlongOnes() throws Exception {
        String input = "short\r\n" + "y".repeat(20) + "\n" + "z".repeat(10) + "\nlast";
        BoundedLineReader reader = new BoundedLineReader(new StringReader(input), 10);

        assertThat(reader.readLine()).isEqualTo("short");
        assertThat(reader.readLine()).isSameAs(BoundedLineReader.TOO_LONG);
        assertThat(reader.readLine()).isEqualTo("z".repeat(10));
        assertThat(reader.readLine()).isEqualTo("last");
        assertThat(reader.readLine()).isNull();
    }
}
