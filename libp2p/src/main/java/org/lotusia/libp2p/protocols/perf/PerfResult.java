package org.lotusia.libp2p.protocols.perf;

import java.time.Duration;

/**
 * The outcome of one perf run.
 *
 * @param uploadBytes   bytes sent to the server
 * @param downloadBytes bytes received from the server
 * @param uploadTime    from the first byte written until the upload was handed to the stream and closed
 * @param totalTime     from opening the stream until the server's last byte arrived
 */
public record PerfResult(long uploadBytes, long downloadBytes, Duration uploadTime, Duration totalTime) {
}
