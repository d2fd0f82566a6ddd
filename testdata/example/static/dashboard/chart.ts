// Loaded by import() from main.ts: esbuild makes it a chunk of its own,
// and the code it shares with main.ts another.
import { formatCount } from "./format";

export function drawChart(rows: readonly string[]): string {
  return `Dashboard (${formatCount(rows.length)} rows): ${rows.join(", ")}`;
}
