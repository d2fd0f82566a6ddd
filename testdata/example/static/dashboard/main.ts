// The dashboard: an ES module entry, bundled by esbuild (see [bundle.dashboard]
// in assets.toml). Its stylesheet comes with it, and the chart is loaded
// only when it is drawn, from a chunk of its own.
import "./dashboard.css";
import { formatCount } from "./format";

interface Stat {
  label: string;
  value: number;
}

const stats: Stat[] = [
  { label: "posts", value: 3 },
  { label: "carts", value: 1 },
];

export async function render(el: HTMLElement): Promise<void> {
  const { drawChart } = await import("./chart");
  el.textContent = drawChart(stats.map((s) => `${s.label}: ${formatCount(s.value)}`));
  el.dataset.ready = "true";
}

const el = document.getElementById("dashboard");
if (el) {
  void render(el);
}
