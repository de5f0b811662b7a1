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

/** The table as GitHub markdown, padded the way biome formats markdown tables. */
export function toMarkdown(table: Table): string {
  // A column of figures is right-aligned even when its first cell is empty or a dash.
  const right = table.header.map((_, i) => i > 0 && table.rows.some((r) => /\d/.test(r[i] ?? "")));
  const widths = table.header.map((h, i) =>
    Math.max(3, h.length, ...table.rows.map((r) => (r[i] ?? "").length)),
  );
  const line = (cells: readonly string[]): string =>
    `| ${widths.map((w, i) => (right[i] ? (cells[i] ?? "").padStart(w) : (cells[i] ?? "").padEnd(w))).join(" | ")} |`;
  const rule = widths.map((w, i) => (right[i] ? `${"-".repeat(w - 1)}:` : `:${"-".repeat(w - 1)}`));
  const notes = table.notes ?? [];
  return [
    `**${table.title}**`,
    "",
    line(table.header),
    `| ${rule.join(" | ")} |`,
    ...table.rows.map(line),
    // A hard line break between notes, none after the last (as biome leaves it).
    ...(notes.length === 0 ? [] : ["", notes.join("  \n")]),
  ].join("\n");
}

/** A number with thousands separators and at most `digits` decimals. */
export function num(x: number | null, digits = 1): string {
  if (x === null || !Number.isFinite(x)) return "–";
  return x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/**
 * How many decimals `x` needs (from `digits`, at most 4) not to print as `bound`: a goal
 * missed by 0.702 against ≤ 0.7 must not read "0.70 … NO". Checked in both ways figures
 * are printed here (`toFixed`, and `num`'s locale format), which round differently: 0.695
 * is "0.69" by one and "0.7" by the other.
 */
export function digitsAgainst(x: number, bound: number, digits = 2): number {
  let d = digits;
  while (
    d < 4 &&
    x !== bound &&
    (x.toFixed(d) === bound.toFixed(d) || num(x, d) === num(bound, d))
  ) {
    d++;
  }
  return d;
}

/** A ratio as `0.58×`; with `bound`, as many decimals as tell it from that goal. */
export function ratio(x: number, bound?: number): string {
  if (!Number.isFinite(x)) return "–";
  return `${x.toFixed(bound === undefined ? 2 : digitsAgainst(x, bound))}×`;
}
