/**
 * Building blocks of the coordinator: bootstrap re-dialling with jittered exponential backoff,
 * the ban-enforcing connection gater, and address helpers. Most applications only need
 * {@link org.lotusia.p2p.coordinator.BackoffPolicy} (to configure re-dials).
 */
package org.lotusia.p2p.coordinator;
