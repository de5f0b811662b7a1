import { lanes } from "./lanes.js";
import type { Recording } from "./recorder.js";

const COLORS = {
  poll: "#2563eb",
  park: "#d1d5db",
  wait: "#bbf7d0",
  wake: "#ea580c",
  drop: "#dc2626",
  spawn: "#7c3aed",
} as const;

/** A timeline picture of a recording: one row per thread, time across (SVG text). */
export function svgTimeline(recording: Recording, title: string): string {
  const { lanes: all, durationMs } = lanes(recording);
  const width = 900;
  const left = 90;
  const top = 40;
  const row = 34;
  const plot = width - left - 20;
  const height = top + all.length * row + 50;
  const x = (ms: number): number => left + (ms / Math.max(durationMs, 1)) * plot;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-monospace, monospace" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  all.forEach((lane, i) => {
    const y = top + i * row;
    out.push(`<text x="8" y="${y + 20}">${escapeXml(lane.name)}</text>`);
    out.push(
      `<line x1="${left}" y1="${y + row - 4}" x2="${left + plot}" y2="${y + row - 4}" stroke="#e5e7eb"/>`,
    );
    for (const span of lane.spans) {
      const w = Math.max(1, x(span.end) - x(span.start));
      const h = span.kind === "poll" ? 18 : 10;
      const dy = span.kind === "poll" ? 5 : 9;
      out.push(
        `<rect x="${x(span.start).toFixed(1)}" y="${y + dy}" width="${w.toFixed(1)}" height="${h}" fill="${COLORS[span.kind]}"/>`,
      );
    }
    for (const mark of lane.marks) {
      if (mark.kind === "poll") continue;
      const mx = x(mark.time).toFixed(1);
      out.push(
        `<line x1="${mx}" y1="${y + 2}" x2="${mx}" y2="${y + 26}" stroke="${COLORS[mark.kind]}" stroke-width="2"/>`,
      );
    }
  });
  const axisY = top + all.length * row + 14;
  for (let i = 0; i <= 4; i++) {
    const ms = (durationMs * i) / 4;
    out.push(
      `<text x="${x(ms).toFixed(1)}" y="${axisY}" text-anchor="middle" fill="#6b7280">${ms.toFixed(0)} ms</text>`,
    );
  }
  const legend = [
    ["poll", "poll"],
    ["park", "parked"],
    ["wait", "in epoll_wait"],
    ["wake", "wake"],
    ["spawn", "spawn"],
  ] as const;
  legend.forEach(([kind, text], i) => {
    const lx = left + i * 130;
    out.push(`<rect x="${lx}" y="${axisY + 14}" width="12" height="12" fill="${COLORS[kind]}"/>`);
    out.push(`<text x="${lx + 18}" y="${axisY + 24}">${text}</text>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
