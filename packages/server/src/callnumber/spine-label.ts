import type { CallNumberScheme } from './call-number.ts';
import { analyzeScheme } from './call-number.ts';

/** Options for spine labels. */
export interface SpineLabelOptions {
  /** Longest line, in characters; longer parts are broken (at a period when possible). Default 10. */
  maxWidth?: number;
}

/**
 * Splits a call number into spine label lines, one part per line, the way it is read on the shelf:
 * LC `QA76.73.J38 F53 2001` → `QA` / `76.73` / `.J38` / `F53` / `2001`; Dewey `025.04 SMI` → `025.04` / `SMI`.
 * The first Cutter keeps its period when it was written with one. Text that is not a call number of
 * `scheme` is split at whitespace.
 */
export function spineLabelLines(
  text: string,
  scheme: CallNumberScheme,
  options: SpineLabelOptions = {},
): string[] {
  const maxWidth = Math.max(1, Math.floor(options.maxWidth ?? 10));
  const analysis = analyzeScheme(text, scheme);
  const lines = analysis?.callNumber ? analysis.spineLines() : text.trim().split(/\s+/).filter(Boolean);
  return lines.flatMap((line) => fitLine(line, maxWidth));
}

function fitLine(line: string, maxWidth: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > maxWidth) {
    // Prefer breaking before a period (`5105` / `.888`), then after other punctuation, else at the width.
    const head = rest.slice(0, maxWidth + 1);
    const period = head.lastIndexOf('.');
    const punct = Math.max(
      head.lastIndexOf('-'),
      head.lastIndexOf('/'),
      head.lastIndexOf(':'),
      head.lastIndexOf(','),
    );
    let cut = maxWidth;
    if (period > 0) cut = period;
    else if (punct >= 0 && punct < maxWidth) cut = punct + 1;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest) out.push(rest);
  return out;
}
