package org.lotusia.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * A JMH profiler that reports CPU time per operation next to wall time, for machines shared with other work (where
 * wall time per operation grows with the machine's load but CPU time mostly does not):
 * <ul>
 *   <li>{@code ·cpu.worker}: CPU time of the benchmark's worker threads per operation;</li>
 *   <li>{@code ·cpu.process}: CPU time of the whole forked JVM per operation (adds JIT, GC and JMH itself).</li>
 * </ul>
 * In the benchmark's time unit for average-time modes, else in microseconds. Use:
 * {@code java -jar lotus-p2p-bench.jar NoiseHandshakeBenchmark -prof org.lotusia.bench.CpuTimeProfiler}
 */
public final class CpuTimeProfiler implements InternalProfiler {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private long processStart;
    private long workerStart;

    @Override
    public String getDescription() {
        return "CPU time per operation (worker threads and whole JVM)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        processStart = processCpuNanos();
        workerStart = workerCpuNanos();
    }

    @Override
    public List<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                 IterationResult result) {
        long process = processCpuNanos() - processStart;
        long worker = workerCpuNanos() - workerStart;
        long ops = result.getMetadata().getAllOps();
        if (ops <= 0) {
            return List.of();
        }
        TimeUnit unit = benchmarkParams.getMode() == Mode.Throughput ? TimeUnit.MICROSECONDS
                : benchmarkParams.getTimeUnit();
        double perUnit = TimeUnit.NANOSECONDS.convert(1, unit);
        String label = TimeValue.tuToString(unit) + "/op";
        return List.of(
                new ScalarResult("cpu.worker", worker / perUnit / ops, label, AggregationPolicy.AVG),
                new ScalarResult("cpu.process", process / perUnit / ops, label, AggregationPolicy.AVG));
    }

    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    private long workerCpuNanos() {
        long sum = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().contains("jmh-worker")) {
                long t = threads.getThreadCpuTime(info.getThreadId());
                if (t > 0) {
                    sum += t;
                }
            }
        }
        return sum;
    }
}
