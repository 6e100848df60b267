import bwipjs from 'bwip-js';
import { CODABAR_DATA } from './barcode-generator.ts';
import { labelError } from './errors.ts';

/**
 * Barcode symbologies Stacks prints. Code 128 for item labels (dense, any ASCII, check character built
 * in); Code 39 and Codabar for patron cards, which older scanners and most library card stock expect.
 */
export type BarcodeSymbology = 'code128' | 'code39' | 'codabar';

/** A Codabar start or stop character. */
export type CodabarGuard = 'A' | 'B' | 'C' | 'D';

/** Options shared by the PNG and the vector rendering of a barcode. */
export interface BarcodeSymbolOptions {
  /** Codabar start character when the text does not bring its own. Default `A`. */
  codabarStart?: CodabarGuard;
  /** Codabar stop character when the text does not bring its own. Default `B`. */
  codabarStop?: CodabarGuard;
}

/** Options of {@link barcodePng}. */
export interface BarcodePngOptions extends BarcodeSymbolOptions {
  symbology: BarcodeSymbology;
  /** The data to encode (a Codabar text may include its start and stop characters). */
  text: string;
  /** Pixels per module (narrow bar). Default 3. */
  scale?: number;
  /** Bar height in millimetres (bwip-js unit). Default 12. */
  height?: number;
  /** Print the human-readable text under the bars. Default true. */
  includeText?: boolean;
}

/** What bwip-js is asked to encode for a barcode: its encoder name, the text, and the text to print. */
export interface BarcodeSymbol {
  /** bwip-js encoder (`code128`, `code39`, `rationalizedCodabar`). */
  bcid: 'code128' | 'code39' | 'rationalizedCodabar';
  /** The text bwip-js encodes; for Codabar with its start and stop characters. */
  text: string;
  /** The human-readable text (Codabar without start and stop, as scanners usually report it). */
  humanReadable: string;
}

/**
 * The bwip-js symbol for `text` in `symbology`, after checking the text can be encoded there. Throws
 * `BARCODE_NOT_ENCODABLE` otherwise. Code 128 takes printable ASCII; Code 39 takes `0`–`9`, `A`–`Z`
 * (capitals only: lower case would need Full ASCII Code 39, which scans back as different text on a scanner
 * not set up for it), space and `- . $ / + %`; Codabar takes `0`–`9` and `- $ : / . +`, framed by start
 * and stop characters `A`–`D`: a text that already starts and ends with one is used as it is, otherwise
 * `codabarStart`/`codabarStop` (default `A` … `B`) are added.
 */
export function barcodeSymbol(
  symbology: BarcodeSymbology,
  text: string,
  options: BarcodeSymbolOptions = {},
): BarcodeSymbol {
  if (text === '') labelError('BARCODE_NOT_ENCODABLE', 'a barcode needs at least one character');
  switch (symbology) {
    case 'code128': {
      const bad = [...text].find((char) => !/^[\x20-\x7e]$/.test(char));
      if (bad !== undefined) {
        labelError('BARCODE_NOT_ENCODABLE', `Code 128 labels take printable ASCII, not "${bad}"`, { text });
      }
      return { bcid: 'code128', text, humanReadable: text };
    }
    case 'code39': {
      const bad = [...text].find((char) => !/^[0-9A-Z \-.$/+%]$/.test(char));
      if (bad !== undefined) {
        labelError(
          'BARCODE_NOT_ENCODABLE',
          `Code 39 takes digits, capital letters, space and - . $ / + %, not "${bad}"`,
          { text },
        );
      }
      return { bcid: 'code39', text, humanReadable: text };
    }
    case 'codabar': {
      const framed = /^[A-Da-d](.*)[A-Da-d]$/.exec(text);
      const data = framed ? (framed[1] ?? '') : text;
      if (!CODABAR_DATA.test(data)) {
        const bad = [...data].find((char) => !CODABAR_DATA.test(char));
        labelError(
          'BARCODE_NOT_ENCODABLE',
          bad === undefined
            ? 'a Codabar barcode needs data between its start and stop characters'
            : `Codabar takes digits and - $ : / . + between start and stop, not "${bad}"`,
          { text },
        );
      }
      const start = framed ? text.charAt(0).toUpperCase() : (options.codabarStart ?? 'A');
      const stop = framed ? text.charAt(text.length - 1).toUpperCase() : (options.codabarStop ?? 'B');
      return { bcid: 'rationalizedCodabar', text: `${start}${data}${stop}`, humanReadable: data };
    }
  }
}

/**
 * Renders a barcode to a PNG image (for screens, e-mails and the staff client), with bwip-js.
 *
 * @example
 * const png = await barcodePng({ symbology: 'code128', text: '30234000517861' });
 */
export async function barcodePng(options: BarcodePngOptions): Promise<Buffer> {
  const symbol = barcodeSymbol(options.symbology, options.text, options);
  return bwipjs.toBuffer({
    bcid: symbol.bcid,
    text: symbol.text,
    scale: options.scale ?? 3,
    height: options.height ?? 12,
    includetext: options.includeText ?? true,
    alttext: symbol.humanReadable,
    textxalign: 'center',
    paddingwidth: 10,
    paddingheight: 2,
    backgroundcolor: 'FFFFFF',
  });
}

/** A linear barcode as bar and space widths, for drawing it as vector shapes. */
export interface BarcodeBars {
  /** Widths in modules, alternating bar, space, bar, …, starting and ending with a bar. */
  widths: number[];
  /** Total width in modules (quiet zones not included). */
  modules: number;
  /** The human-readable text. */
  humanReadable: string;
}

/**
 * The bars of a barcode as module widths (from bwip-js's encoder), so PDFs can draw them as exact
 * rectangles: vector bars stay sharp at every printer resolution, where a scaled bitmap would smear
 * the narrow bars.
 */
export function barcodeBars(
  symbology: BarcodeSymbology,
  text: string,
  options: BarcodeSymbolOptions = {},
): BarcodeBars {
  const symbol = barcodeSymbol(symbology, text, options);
  const [encoded] = bwipjs.raw({ bcid: symbol.bcid, text: symbol.text });
  if (!encoded || !('sbs' in encoded)) {
    labelError('BARCODE_NOT_ENCODABLE', `bwip-js gave no bars for "${text}"`, { symbology });
  }
  // bwip-js ends some symbologies (Codabar, Code 39) with the inter-character gap: drop it so the bars centre.
  const widths = encoded.sbs.length % 2 === 0 ? encoded.sbs.slice(0, -1) : encoded.sbs;
  return { widths, modules: widths.reduce((sum, w) => sum + w, 0), humanReadable: symbol.humanReadable };
}
