export function formatCount(n: number): string {
  return n === 1 ? "one" : String(n);
}
