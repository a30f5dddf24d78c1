/**
 * Reusable application patterns on top of {@link org.lotusia.p2p.P2PCoordinator}, from the developer
 * guide's "Advanced Patterns": {@link org.lotusia.p2p.patterns.RequestResponse} (Pattern 1) and
 * {@link org.lotusia.p2p.patterns.MessageDeduplicator} (Pattern 4). Patterns 2 and 3 (peer discovery
 * service, connection pool manager) are runnable examples in the coordinator's test sources,
 * {@code org.lotusia.p2p.examples}; see {@code examples/README.md}.
 */
package org.lotusia.p2p.patterns;
