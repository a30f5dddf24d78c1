package org.lotusia.bench;

import java.util.Arrays;
import java.util.Collection;

/** Summary statistics of a set of measurements (nearest-rank percentiles, as both benchmark sides are reported). */
public final class Samples {
    private final double[] sorted;

    /** Copies and sorts {@code values}. */
    public Samples(double[] values) {
        this.sorted = values.clone();
        Arrays.sort(sorted);
    }

    /** Copies and sorts {@code values}. */
    public static Samples of(Collection<? extends Number> values) {
        return new Samples(values.stream().mapToDouble(Number::doubleValue).toArray());
    }

    /** How many values. */
    public int count() {
        return sorted.length;
    }

    /** The nearest-rank percentile {@code p} (0 < p ≤ 100); NaN when empty. */
    public double percentile(double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }

    /** The arithmetic mean; NaN when empty. */
    public double mean() {
        return sorted.length == 0 ? Double.NaN : Arrays.stream(sorted).sum() / sorted.length;
    }

    /** The largest value; NaN when empty. */
    public double max() {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
    }

    /** Rounds to {@code digits} decimals for reports. */
    static double round(double value, int digits) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return value;
        }
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    /** {@code a / b}, NaN when b is 0 or either is NaN. */
    static double ratio(double a, double b) {
        return b == 0 || Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : a / b;
    }
}
