// Percentiles and a table printer for benchmark scripts.

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export interface BenchRow {
  bench: string;
  measured: string;
  reference: string;
  ratio: number;
  goal: string;
  ok: boolean;
}

export function printRows(rows: readonly BenchRow[]): void {
  const table = rows.map((r) => ({
    ...r,
    ratio: Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : String(r.ratio),
    ok: r.ok ? 'yes' : 'NO',
  }));
  console.table(table);
}

/** Machine-readable line for bench/run-all.ts to collect. */
export function emit(rows: readonly BenchRow[]): void {
  printRows(rows);
  console.log(`BENCH_JSON ${JSON.stringify(rows)}`);
}
