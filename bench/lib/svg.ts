// Small dependency-free SVG charts for docs/RESULTS.md: lines over a numeric x axis, and a heat map
// table. Deterministic output (same input, same bytes), so regenerated charts diff cleanly.

const PALETTE = ["#1f5fbf", "#d1495b", "#2a9d8f", "#e9a03b", "#7b5ea7", "#5c677d", "#8ab17d", "#c06c84"];
const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmt = (v: number): string => (Math.abs(v) >= 1000 ? v.toLocaleString("en-US", { maximumFractionDigits: 0 }) : String(Math.round(v * 100) / 100));

/** One line: its label, its points, and whether to draw it dashed (a reference, not a measurement). */
export interface Series {
  label: string;
  points: readonly { x: number; y: number }[];
  dashed?: boolean;
}

/** What a line chart shows: title, axis labels, series, optional fixed y range and log-scaled x. */
export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  yMin?: number;
  yMax?: number;
  logX?: boolean;
  xTicks?: readonly number[];
  width?: number;
  height?: number;
}

/** A line chart with a legend on the right. */
export function lineChart(o: LineChartOptions): string {
  const W = o.width ?? 720,
    H = o.height ?? 360,
    L = 70,
    R = 190,
    T = 36,
    B = 48;
  const all = o.series.flatMap((s) => s.points);
  const tx = (x: number): number => (o.logX ? Math.log10(x) : x);
  const xs = all.map((p) => tx(p.x));
  const ys = all.map((p) => p.y);
  const x0 = Math.min(...xs),
    x1 = Math.max(...xs);
  const y0 = o.yMin ?? Math.min(...ys),
    y1 = o.yMax ?? Math.max(...ys);
  const px = (x: number): number => L + (W - L - R) * (x1 === x0 ? 0.5 : (tx(x) - x0) / (x1 - x0));
  const py = (y: number): number => T + (H - T - B) * (1 - (y1 === y0 ? 0.5 : (y - y0) / (y1 - y0)));
  const yTicks = Array.from({ length: 5 }, (_, i) => y0 + ((y1 - y0) * i) / 4);
  const xTicks = o.xTicks ?? [...new Set(all.map((p) => p.x))].sort((a, b) => a - b);
  const parts: string[] = [];
  for (const y of yTicks) {
    parts.push(`<line x1="${L}" y1="${py(y).toFixed(1)}" x2="${W - R}" y2="${py(y).toFixed(1)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${L - 6}" y="${(py(y) + 4).toFixed(1)}" font-size="11" text-anchor="end">${fmt(y)}</text>`);
  }
  for (const x of xTicks) parts.push(`<text x="${px(x).toFixed(1)}" y="${H - B + 16}" font-size="11" text-anchor="middle">${fmt(x)}</text>`);
  o.series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length];
    const d = s.points.map((p, i) => `${i ? "L" : "M"}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(" ");
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`);
    if (!s.dashed) for (const p of s.points) parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${color}"/>`);
    const ly = T + 14 + k * 18;
    parts.push(
      `<line x1="${W - R + 12}" y1="${ly - 4}" x2="${W - R + 32}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
    );
    parts.push(`<text x="${W - R + 38}" y="${ly}" font-size="11">${esc(s.label)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${(L + W - R) / 2}" y="20" font-size="14" text-anchor="middle">${esc(o.title)}</text>
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#444"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#444"/>
<text x="${(L + W - R) / 2}" y="${H - 10}" font-size="12" text-anchor="middle">${esc(o.xLabel)}</text>
<text x="16" y="${(T + H - B) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 16 ${(T + H - B) / 2})">${esc(o.yLabel)}</text>
${parts.join("\n")}
</svg>
`;
}

/** What a heat map shows: row and column labels, a value per cell (null: not run), colour range. */
export interface HeatmapOptions {
  title: string;
  rows: readonly string[];
  columns: readonly string[];
  values: readonly (readonly (number | null)[])[];
  /** Value shown red (low end) and green (high end). */
  min: number;
  max: number;
  format?: (v: number) => string;
  /** Optional second line per cell (e.g. attackers paid). */
  notes?: readonly (readonly (string | null)[])[];
}

/** A table of coloured cells, red (min) through yellow to green (max). */
export function heatmap(o: HeatmapOptions): string {
  const cw = 86,
    ch = o.notes ? 38 : 28,
    L = 150,
    T = 58;
  const W = L + cw * o.columns.length + 10,
    H = T + ch * o.rows.length + 10;
  const color = (v: number): string => {
    const t = Math.max(0, Math.min(1, (v - o.min) / (o.max - o.min || 1)));
    const hue = Math.round(120 * t); // 0 red → 60 yellow → 120 green
    return `hsl(${hue}, 65%, 72%)`;
  };
  const f = o.format ?? ((v: number) => fmt(v));
  const parts: string[] = [];
  o.columns.forEach((c, j) => parts.push(`<text x="${L + cw * j + cw / 2}" y="${T - 8}" font-size="11" text-anchor="middle">${esc(c)}</text>`));
  o.rows.forEach((r, i) => {
    parts.push(`<text x="${L - 8}" y="${T + ch * i + ch / 2 + 4}" font-size="11" text-anchor="end">${esc(r)}</text>`);
    o.columns.forEach((_, j) => {
      const v = o.values[i]?.[j] ?? null;
      const note = o.notes?.[i]?.[j] ?? null;
      const x = L + cw * j,
        y = T + ch * i;
      parts.push(`<rect x="${x}" y="${y}" width="${cw - 2}" height="${ch - 2}" fill="${v === null ? "#eeeeee" : color(v)}"/>`);
      const textY = note ? y + ch / 2 - 3 : y + ch / 2 + 4;
      parts.push(`<text x="${x + cw / 2 - 1}" y="${textY}" font-size="11" text-anchor="middle">${v === null ? "—" : esc(f(v))}</text>`);
      if (note) parts.push(`<text x="${x + cw / 2 - 1}" y="${y + ch / 2 + 11}" font-size="9" text-anchor="middle" fill="#333">${esc(note)}</text>`);
    });
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${W / 2}" y="20" font-size="14" text-anchor="middle">${esc(o.title)}</text>
${parts.join("\n")}
</svg>
`;
}
