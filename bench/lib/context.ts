/** What a bench part gets from bench/run.ts: a way to add table rows, notes and raw numbers. */
export interface BenchContext {
  quick: boolean;
  row(metric: string, value: string, goal?: string, met?: boolean): void;
  note(line: string): void;
  log(line: string): void;
  fmt(value: number, digits?: number): string;
  raw: Record<string, unknown>;
}
