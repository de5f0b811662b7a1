// The chart, as SVG written by hand: polls per request by stage and N (log-log), and CPU
// per request by client. No browser and no plotting library: a few rectangles and lines.
import type { ClientKind } from "./client/protocol.js";
import { CLIENT_LABELS } from "./report.js";
import type { Results } from "./results.js";

const COLORS: Readonly<Record<ClientKind, string>> = {
  a: "#d62728",
  b: "#ff7f0e",
  c: "#2ca02c",
  c2: "#17becf",
  ctrace: "#8c564b",
  d: "#e377c2",
  mio: "#7f7f7f",
  "mio-poll": "#bcbd22",
  net: "#1f77b4",
  fetch: "#9467bd",
};

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const fmt = (x: number): string =>
  Number.isInteger(x) || x >= 100
    ? x.toFixed(0)
    : x >= 10
      ? x.toFixed(1)
      : x.toFixed(2).replace(/\.?0+$/, "");

function text(x: number, y: number, s: string, attrs = ""): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`;
}

/** Left panel: leaf polls per request against N, both axes log10. */
function pollsPanel(r: Results, x0: number, y0: number, w: number, h: number): string[] {
  const out: string[] = [];
  const rows = r.polls.rows;
  const ns = [...new Set(rows.map((x) => x.n))].sort((a, b) => a - b);
  const values = rows.map((x) => x.leafPollsPerRequest).filter((v) => v > 0);
  const lo = Math.floor(Math.log10(Math.min(1, ...values)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...values))));
  const nLo = Math.log10(Math.min(...ns));
  const nHi = Math.max(nLo + 1, Math.log10(Math.max(...ns)));
  // Inset the first and last N so their labels stay inside the frame.
  const inset = 28;
  const px = (n: number): number =>
    x0 + inset + ((Math.log10(n) - nLo) / (nHi - nLo)) * (w - 2 * inset);
  const py = (v: number): number => y0 + h - ((Math.log10(v) - lo) / (hi - lo)) * h;
  out.push(
    text(
      x0 + w / 2,
      y0 - 28,
      "Leaf polls per request (log scale)",
      'text-anchor="middle" class="title"',
    ),
  );
  out.push(
    text(
      x0 + w / 2,
      y0 - 12,
      `N concurrent requests: all ${r.polls.settings.path}, or ${r.polls.settings.staggerMs} ms apart`,
      'text-anchor="middle" class="sub"',
    ),
  );
  for (let d = lo; d <= hi; d++) {
    for (const m of d < hi ? [1, 2, 5] : [1]) {
      const v = m * 10 ** d;
      const y = py(v);
      out.push(
        `<line x1="${x0}" x2="${x0 + w}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" class="${m === 1 ? "grid" : "minor"}"/>`,
      );
      if (m === 1 || hi - lo <= 2) out.push(text(x0 - 6, y + 4, fmt(v), 'text-anchor="end"'));
    }
  }
  for (const n of ns) {
    out.push(text(px(n), y0 + h + 16, n.toLocaleString("en-US"), 'text-anchor="middle"'));
  }
  out.push(
    text(
      x0 + w / 2,
      y0 + h + 34,
      "N (concurrent requests, log scale)",
      'text-anchor="middle" class="sub"',
    ),
  );
  out.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" class="frame"/>`);
  const stages = ["a", "b", "c"] as const;
  const dash = (pattern: string): string => (pattern === "same" ? "" : ' stroke-dasharray="6 4"');
  for (const pattern of ["same", "staggered"] as const) {
    for (const stage of stages) {
      const pts = rows
        .filter((x) => x.stage === stage && x.pattern === pattern)
        .sort((a, b) => a.n - b.n);
      if (pts.length === 0) continue;
      const path = pts
        .map((p) => `${px(p.n).toFixed(1)},${py(p.leafPollsPerRequest).toFixed(1)}`)
        .join(" ");
      out.push(
        `<polyline points="${path}" fill="none" stroke="${COLORS[stage]}" stroke-width="2.5"${dash(pattern)}/>`,
      );
      for (const p of pts) {
        const cx = px(p.n);
        const cy = py(p.leafPollsPerRequest);
        out.push(
          pattern === "same"
            ? `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="4" fill="${COLORS[stage]}"/>`
            : `<rect x="${(cx - 4).toFixed(1)}" y="${(cy - 4).toFixed(1)}" width="8" height="8" fill="#fff" stroke="${COLORS[stage]}" stroke-width="2"/>`,
        );
        // Stage c sits at 2 in both patterns: label it once.
        if (stage === "c" && pattern === "staggered") continue;
        // a above its point, b and c below; same-delay labels right, staggered left of it.
        const dy = stage === "a" ? -7 : 14;
        const dx = pattern === "same" ? 7 : -7;
        const anchor = pattern === "same" ? "start" : "end";
        out.push(
          text(
            cx + dx,
            cy + dy,
            fmt(p.leafPollsPerRequest),
            `class="val" fill="${COLORS[stage]}" text-anchor="${anchor}"`,
          ),
        );
      }
    }
  }
  const legend: [string, string, string][] = [
    [COLORS.a, "", "stage a: joinAll"],
    [COLORS.b, "", "stage b: joinAll"],
    [COLORS.c, "", "stage c: task per request"],
    ["#555", "", "same delay (circles)"],
    ["#555", ' stroke-dasharray="6 4"', "staggered delays (squares)"],
  ];
  legend.forEach(([color, style, label], i) => {
    const ly = y0 + 16 + i * 16;
    out.push(
      `<line x1="${x0 + 10}" x2="${x0 + 30}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2.5"${style}/>`,
    );
    out.push(text(x0 + 36, ly, label, 'class="val"'));
  });
  return out;
}

/** Right panel: CPU µs per request by client, one bar per N. */
function cpuPanel(r: Results, x0: number, y0: number, w: number, h: number): string[] {
  const out: string[] = [];
  const rows = r.clientCost.rows;
  const sizes = [...new Set(rows.map((x) => x.n))].sort((a, b) => a - b);
  const clients = [...new Set(rows.map((x) => x.client))];
  const max = Math.max(1, ...rows.map((x) => x.cpuPerRequestUs));
  const labelW = 150;
  const plotX = x0 + labelW;
  const plotW = w - labelW - 95;
  const band = h / Math.max(1, clients.length);
  const barH = Math.min(16, (band - 8) / Math.max(1, sizes.length));
  const step = 10 ** Math.floor(Math.log10(max));
  const tick = max / step > 5 ? step * 2 : max / step > 2 ? step : step / 2;
  out.push(
    text(
      x0 + w / 2,
      y0 - 28,
      "Client CPU per request (µs, all threads)",
      'text-anchor="middle" class="title"',
    ),
  );
  out.push(
    text(
      x0 + w / 2,
      y0 - 12,
      `GET ${r.clientCost.settings.path}; bars: ${sizes.map((n, i) => `N=${n.toLocaleString("en-US")}${i === 0 ? " (dark)" : " (light)"}`).join(", ")}; dashed: node:net`,
      'text-anchor="middle" class="sub"',
    ),
  );
  for (let v = 0; v <= max * 1.0001; v += tick) {
    const x = plotX + (v / max) * plotW;
    out.push(
      `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${y0}" y2="${y0 + h}" class="grid"/>`,
    );
    out.push(text(x, y0 + h + 16, fmt(v), 'text-anchor="middle"'));
  }
  const net = rows.filter((x) => x.client === "net");
  clients.forEach((client, i) => {
    const top = y0 + i * band + (band - barH * sizes.length) / 2;
    out.push(
      text(
        plotX - 8,
        top + (barH * sizes.length) / 2 + 4,
        CLIENT_LABELS[client],
        'text-anchor="end"',
      ),
    );
    sizes.forEach((n, j) => {
      const row = rows.find((x) => x.client === client && x.n === n);
      if (row === undefined) return;
      const y = top + j * barH;
      const bw = (row.cpuPerRequestUs / max) * plotW;
      const opacity = j === 0 ? 1 : 0.55;
      out.push(
        `<rect x="${plotX}" y="${y.toFixed(1)}" width="${bw.toFixed(1)}" height="${(barH - 2).toFixed(1)}" fill="${COLORS[client]}" fill-opacity="${opacity}"/>`,
      );
      const ratioText = client === "net" ? "" : ` (${row.cpuRatio.toFixed(2)}×)`;
      out.push(
        text(
          plotX + bw + 4,
          y + barH - 4,
          `${fmt(row.cpuPerRequestUs)}${ratioText}`,
          'class="val"',
        ),
      );
    });
  });
  for (const row of net) {
    const x = plotX + (row.cpuPerRequestUs / max) * plotW;
    out.push(
      `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${y0}" y2="${y0 + h}" class="ref"/>`,
    );
  }
  out.push(`<line x1="${plotX}" x2="${plotX}" y1="${y0}" y2="${y0 + h}" class="axis"/>`);
  return out;
}

/** The whole chart as an SVG document. */
export function chartSvg(r: Results): string {
  const width = 1000;
  const height = 440;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    "<style>.title{font-size:15px;font-weight:bold}.sub{fill:#555}.val{font-size:11px}" +
      ".grid{stroke:#ddd}.minor{stroke:#f0f0f0}.frame{fill:none;stroke:#999}.axis{stroke:#333}" +
      ".ref{stroke:#1f77b4;stroke-dasharray:4 3}</style>",
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...pollsPanel(r, 60, 60, 340, 300),
    ...cpuPanel(r, 450, 60, 540, 300),
    text(
      width / 2,
      height - 10,
      `${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, ${r.machine.date.slice(0, 10)}, commit ${r.machine.commit ?? "unknown"}, ` +
        `load average ${r.machine.loadAverageAtStart.toFixed(1)} → ${r.loadAverageAtEnd.toFixed(1)}${r.quick ? " (quick run)" : ""}`,
      'text-anchor="middle" class="sub"',
    ),
    "</svg>",
  ];
  return `${parts.join("\n")}\n`;
}
