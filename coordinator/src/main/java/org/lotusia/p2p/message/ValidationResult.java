package org.lotusia.p2p.message;

import java.util.Objects;

/**
 * The outcome of {@link P2PProtocol#validate}: valid, or the first reason the reference's
 * {@code validateMessage} would have rejected the message for.
 *
 * @param reason {@link Reason#VALID} when the message is valid
 * @param detail a human-readable explanation (empty when valid)
 */
public record ValidationResult(Reason reason, String detail) {

    /** Why a message is invalid, in the order the checks run. */
    public enum Reason {
        /** The message passed every check. */
        VALID,
        /** {@code type} is absent or empty. */
        MISSING_TYPE,
        /** {@code from} is absent or empty. */
        MISSING_FROM,
        /** {@code messageId} is absent or empty. */
        MISSING_MESSAGE_ID,
        /** {@code timestamp} is absent or 0 (falsy in the reference). */
        BAD_TIMESTAMP,
        /** {@code timestamp} is more than the allowed age/skew (±5 min) away from now. */
        OUTSIDE_TIME_WINDOW
    }

    private static final ValidationResult OK = new ValidationResult(Reason.VALID, "");

    /** Creates a result. */
    public ValidationResult {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }

    /** The shared valid result. */
    public static ValidationResult ok() {
        return OK;
    }

    /** An invalid result. */
    public static ValidationResult invalid(Reason reason, String detail) {
        if (reason == Reason.VALID) {
            throw new IllegalArgumentException("an invalid result needs a failure reason");
        }
        return new ValidationResult(reason, detail);
    }

    /** Whether the message is valid. */
    public boolean isValid() {
        return reason == Reason.VALID;
    }
}
