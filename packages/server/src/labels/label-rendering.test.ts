/**
 * Real rendering checks: the PDFs are rasterized at 300 dpi with `pdftoppm` (Debian package poppler-utils)
 * and their barcodes decoded with `zbarimg` (zbar-tools), as a scanner at the circulation desk would read
 * them. Without those tools the tests are skipped, saying so in their names. One PNG of each kind is kept
 * in `test-artifacts/labels/` at the repository root for a person to look at.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { BarcodeSymbology, ItemLabel } from './index.ts';
import {
  AVERY_5160,
  barcodeLabelsPdf,
  barcodePng,
  library14Config,
  nextBarcode,
  patronCardsPdf,
  spineLabelsPdf,
} from './index.ts';

const TOOLS = [
  { command: 'pdftoppm', debianPackage: 'poppler-utils' },
  { command: 'pdftotext', debianPackage: 'poppler-utils' },
  { command: 'zbarimg', debianPackage: 'zbar-tools' },
];
const missing = TOOLS.filter(({ command }) => spawnSync(command, ['-v']).error !== undefined);
const skipped = missing.length > 0;
const because = skipped
  ? ` [SKIPPED: ${missing.map((t) => `${t.command} (apt-get install ${t.debianPackage})`).join(', ')} not installed]`
  : '';
if (skipped) console.warn(`labels rendering checks skipped:${because}`);

const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/labels/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'stacks-labels-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let files = 0;

/** Rasterizes every page of `pdf` at 300 dpi; returns the PNG paths in page order. */
function renderPages(pdf: Buffer): string[] {
  const name = `doc${++files}`;
  const pdfPath = join(work, `${name}.pdf`);
  writeFileSync(pdfPath, pdf);
  const result = spawnSync('pdftoppm', ['-r', '300', '-png', pdfPath, join(work, name)], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`pdftoppm failed: ${result.stderr}`);
  return readdirSync(work)
    .filter((file) => file.startsWith(`${name}-`) && file.endsWith('.png'))
    .sort()
    .map((file) => join(work, file));
}

/** Decodes the barcodes of one symbology in a PNG (zbar's other decoders off, so nothing is misread). */
function decode(png: string, symbology: 'code128' | 'code39' | 'codabar'): string[] {
  const result = spawnSync('zbarimg', ['--raw', '-q', '-Sdisable', `-S${symbology}.enable`, png], {
    encoding: 'utf8',
  });
  // zbarimg exits with 4 when it finds no barcode.
  if (result.status !== 0 && result.status !== 4) throw new Error(`zbarimg failed: ${result.stderr}`);
  return result.stdout.split('\n').filter((line) => line !== '');
}

function pdfText(pdf: Buffer): string {
  const pdfPath = join(work, `text${++files}.pdf`);
  writeFileSync(pdfPath, pdf);
  return spawnSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' }).stdout;
}

function keep(png: string, name: string): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  copyFileSync(png, join(ARTIFACTS, name));
}

function itemLabels(count: number, first = 51786): ItemLabel[] {
  const config = library14Config('item', '0234');
  return Array.from({ length: count }, (_, i) => ({
    barcode: nextBarcode(config, first + i),
    title: 'Middlemarch: a study of provincial life',
    libraryName: 'Riverside Public Library',
    callNumber: 'PR4662 .A1 2003',
  }));
}

describe(`label rendering checks with pdftoppm and zbarimg${because}`, () => {
  it.skipIf(skipped)(`every barcode on a full 30-up Avery 5160 sheet scans back${because}`, async () => {
    const labels = itemLabels(30);
    const pages = renderPages(await barcodeLabelsPdf(labels, AVERY_5160));
    expect(pages).toHaveLength(1);
    const page = pages[0] as string;
    keep(page, 'item-labels-avery-5160.png');
    const decoded = decode(page, 'code128');
    expect(decoded).toHaveLength(30);
    expect(new Set(decoded)).toEqual(new Set(labels.map((label) => label.barcode)));
  });

  it.skipIf(skipped)(
    `a partly used sheet continues on a second page, every barcode scanning${because}`,
    async () => {
      const labels = itemLabels(12, 90000);
      const pages = renderPages(await barcodeLabelsPdf(labels, AVERY_5160, { skip: 20 }));
      expect(pages).toHaveLength(2);
      const [first, second] = pages.map((page) => decode(page, 'code128'));
      expect(new Set(first)).toEqual(new Set(labels.slice(0, 10).map((label) => label.barcode)));
      expect(new Set(second)).toEqual(new Set(labels.slice(10).map((label) => label.barcode)));
    },
  );

  it.skipIf(skipped)(`Code 128 labels with letters and punctuation scan back${because}`, async () => {
    const labels = ['RPL-000007', 'b1234567x', 'AV/2024.15'].map((barcode) => ({ barcode, title: 'DVD' }));
    const [page] = renderPages(await barcodeLabelsPdf(labels));
    expect(new Set(decode(page as string, 'code128'))).toEqual(new Set(labels.map((label) => label.barcode)));
  });

  it.skipIf(skipped)(`spine labels carry their call number lines${because}`, async () => {
    const pdf = await spineLabelsPdf(
      [
        { lines: ['QA', '76.73', '.J38', 'F53', '2001'] },
        { lines: ['FIC', 'ELIOT'] },
        { lines: ['REF', '025.04', 'SMI', 'v.2'] },
      ],
      undefined,
      { outlines: true },
    );
    const [page] = renderPages(pdf);
    keep(page as string, 'spine-labels-demco-ws14942260.png');
    const words = pdfText(pdf).split(/\s+/);
    for (const line of ['QA', '76.73', '.J38', 'F53', '2001', 'FIC', 'ELIOT', '025.04', 'v.2']) {
      expect(words).toContain(line);
    }
  });

  it.skipIf(skipped)(
    `a Codabar library card scans back, with its start and stop characters${because}`,
    async () => {
      const barcode = nextBarcode(library14Config('patron', '1234'), 12);
      const pdf = await patronCardsPdf([
        {
          barcode,
          name: 'Łucja Ольга Müller',
          libraryName: 'Riverside Public Library',
          expiresOn: '2027-06-30',
        },
      ]);
      const [page] = renderPages(pdf);
      keep(page as string, 'patron-card-codabar.png');
      expect(decode(page as string, 'codabar')).toEqual([`A${barcode}B`]);
      expect(pdfText(pdf)).toContain('Lucja Olga Müller');
      expect(pdfText(pdf)).toContain('Expires 2027-06-30');
    },
  );

  it.skipIf(skipped)(`a Code 39 library card scans back${because}`, async () => {
    const [page] = renderPages(
      await patronCardsPdf([
        {
          barcode: 'P0001234',
          name: 'Ada Lovelace',
          libraryName: 'Riverside Public Library',
          symbology: 'code39',
        },
      ]),
    );
    keep(page as string, 'patron-card-code39.png');
    expect(decode(page as string, 'code39')).toEqual(['P0001234']);
  });

  it.skipIf(skipped)(`every card of a batch scans back, one per page${because}`, async () => {
    const config = library14Config('patron', '1234');
    const barcodes = [1, 2, 3].map((sequence) => nextBarcode(config, sequence));
    const pages = renderPages(
      await patronCardsPdf(
        barcodes.map((barcode) => ({ barcode, name: 'Patron', libraryName: 'Riverside' })),
      ),
    );
    expect(pages.map((page) => decode(page, 'codabar'))).toEqual(barcodes.map((barcode) => [`A${barcode}B`]));
  });

  it.skipIf(skipped).each<[BarcodeSymbology, string, string]>([
    ['code128', '30234000517861', '30234000517861'],
    ['code39', 'RPL-0007', 'RPL-0007'],
    ['codabar', '21234000000125', 'A21234000000125B'],
  ])(`a %s PNG of %s scans back as %s${because}`, async (symbology, text, expected) => {
    const path = join(work, `png-${symbology}.png`);
    writeFileSync(path, await barcodePng({ symbology, text }));
    expect(decode(path, symbology)).toEqual([expected]);
  });
});
