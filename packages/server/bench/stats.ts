/** Percentile of already sorted numbers (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** `p50 / p95 / p99` of a list of milliseconds, formatted. */
export function summarize(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const f = (n: number) => `${n.toFixed(2)} ms`;
  return `p50 ${f(percentile(sorted, 50))}, p95 ${f(percentile(sorted, 95))}, p99 ${f(percentile(sorted, 99))} (n=${sorted.length})`;
}
