/** A table: a header row and data rows of cells already formatted as text. */
export interface Table {
  /** The title printed above it. */
  readonly title: string;
  /** Column headings. */
  readonly header: readonly string[];
  /** Rows of cells. */
  readonly rows: readonly (readonly string[])[];
  /** Lines printed under it. */
  readonly notes?: readonly string[];
}

/** The table as aligned text for a terminal (numbers right-aligned). */
export function toText(table: Table): string {
  const widths = table.header.map((h, i) =>
    Math.max(h.length, ...table.rows.map((r) => (r[i] ?? "").length)),
  );
  const numeric = (s: string): boolean =>
    /^[-+~≤≥<>×.\d,\s%µ()/a-z]*\d/.test(s) && !/^[A-Za-z]/.test(s);
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (numeric(c) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "─".repeat(w)).join("  ");
  return [
    table.title,
    line(table.header),
    rule,
    ...table.rows.map(line),
    ...(table.notes ?? []).map((n) => `  ${n}`),
  ].join("\n");
}

/** The table as GitHub markdown (numbers right-aligned). */
export function toMarkdown(table: Table): string {
  const first = table.rows[0] ?? [];
  const align = table.header.map((_, i) => (/\d/.test(first[i] ?? "") && i > 0 ? "--:" : ":--"));
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  return [
    `**${table.title}**`,
    "",
    line(table.header),
    `|${align.join("|")}|`,
    ...table.rows.map(line),
    ...(table.notes === undefined ? [] : ["", ...table.notes.map((n) => `${n}  `)]),
  ].join("\n");
}

/** A number with thousands separators and at most `digits` decimals. */
export function num(x: number | null, digits = 1): string {
  if (x === null || !Number.isFinite(x)) return "–";
  return x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** A ratio as `0.58×`. */
export function ratio(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(2)}×` : "–";
}
