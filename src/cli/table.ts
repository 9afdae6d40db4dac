/**
 * Tables as etcdctl's `-w table` prints them, byte for byte: etcdctl 3.4 uses olekukonko/tablewriter
 * (a 2017 version) with its defaults and right-aligned cells. The layout rules are that version's:
 *
 * - a column is as wide as its widest cell, but a cell counts as at most {@link MAX_CELL_WIDTH}
 *   characters unless one of its words is longer;
 * - a cell wider than its column is wrapped at spaces into lines of at most the column's width,
 *   choosing the breaks with minimal raggedness (the sum of squared gaps), as tablewriter does;
 *   the column's width when a cell is wrapped is the one reached so far (rows are laid out in order);
 * - headers are upper-cased (`_` and `.` become spaces) and centred (an odd gap's extra space on
 *   the right); cells are right-aligned; `+`, `-`, `|` borders; no line between rows;
 * - a table without rows prints its header and two border lines.
 *
 * The drawing itself is done by cli-table3, given the computed widths and the wrapped lines.
 */
import Table from 'cli-table3';

/** tablewriter's `MAX_ROW_WIDTH`: the most characters a cell counts for in its column's width. */
export const MAX_CELL_WIDTH = 30;

/** Penalty tablewriter adds to a line longer than the limit (a single long word). */
const LONG_LINE_PENALTY = 1e5;

const BORDER_CHARS = {
  top: '-',
  'top-mid': '+',
  'top-left': '+',
  'top-right': '+',
  bottom: '-',
  'bottom-mid': '+',
  'bottom-left': '+',
  'bottom-right': '+',
  left: '|',
  'left-mid': '+',
  mid: '-',
  'mid-mid': '+',
  right: '|',
  'right-mid': '+',
  middle: '|',
};

/** Display width of a cell's text (code points; etcdctl's cells are ASCII). */
function width(text: string): number {
  return [...text].length;
}

/**
 * The table of `headers` and `rows` (strings; a row may be shorter than the headers), ending with
 * a newline, as etcdctl's `-w table`.
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h) => Math.min(width(h), MAX_CELL_WIDTH));
  const wrapped: string[][][] = [];
  for (const row of rows) {
    const cells: string[][] = [];
    row.forEach((text, col) => {
      const capped = Math.min(width(text), MAX_CELL_WIDTH);
      if (widths[col] === undefined || widths[col]! < capped) widths[col] = capped;
      const lines = wrapText(text, widths[col]!);
      const longest = Math.max(...lines.map(width));
      if (longest > widths[col]!) widths[col] = longest;
      cells.push(lines);
    });
    wrapped.push(cells);
  }
  // Head cells are centred, body cells right-aligned: cli-table3 takes per-cell alignment in a
  // cell object (its typings list the head as strings only).
  const head = headers.map((h) => ({ content: title(h), hAlign: 'center' as const }));
  const table = new Table({
    head: head as unknown as string[],
    colWidths: widths.map((w) => w + 2),
    colAligns: widths.map(() => 'right' as const),
    chars: BORDER_CHARS,
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1, compact: true },
  });
  for (const cells of wrapped) table.push(cells.map((lines) => lines.join('\n')));
  let out = table.toString();
  if (rows.length === 0) {
    // tablewriter draws the header's bottom line and the table's bottom line, both
    out += `\n${out.split('\n')[0]}`;
  }
  return `${out}\n`;
}

/** tablewriter's header formatting: `_` and `.` to spaces, trimmed, upper-cased. */
function title(header: string): string {
  return header.replaceAll('_', ' ').replaceAll('.', ' ').trim().toUpperCase();
}

/**
 * tablewriter's `WrapString`: split on single spaces (newlines count as spaces), raise the limit
 * to the longest word, then break into lines with minimal raggedness.
 */
export function wrapText(text: string, limit: number): string[] {
  const words = text.replaceAll('\n', ' ').split(' ');
  let lim = limit;
  for (const word of words) lim = Math.max(lim, word.length);
  return wrapWords(words, lim).map((line) => line.join(' '));
}

/** tablewriter's `WrapWords` (spaces of width 1): the line breaks of least total squared gap. */
function wrapWords(words: readonly string[], limit: number): string[][] {
  const n = words.length;
  const lengths = words.map(width);
  // length(i, j): words i..j on one line
  const length = (i: number, j: number): number => {
    let sum = j - i;
    for (let k = i; k <= j; k++) sum += lengths[k]!;
    return sum;
  };
  const cost = new Array<number>(n).fill(Number.MAX_SAFE_INTEGER);
  const breakAt = new Array<number>(n).fill(n);
  for (let i = n - 1; i >= 0; i--) {
    if (length(i, n - 1) <= limit) {
      cost[i] = 0;
      breakAt[i] = n;
      continue;
    }
    for (let j = i + 1; j < n; j++) {
      const lineLength = length(i, j - 1);
      const gap = limit - lineLength;
      let c = gap * gap + cost[j]!;
      if (lineLength > limit) c += LONG_LINE_PENALTY;
      if (c < cost[i]!) {
        cost[i] = c;
        breakAt[i] = j;
      }
    }
  }
  const lines: string[][] = [];
  for (let i = 0; i < n; i = breakAt[i]!) lines.push(words.slice(i, breakAt[i]));
  return lines;
}
