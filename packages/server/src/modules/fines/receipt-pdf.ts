import PDFDocument from 'pdfkit';
import { formatMinor } from '../../kernel/money.ts';
import { localDateOf, localTimeOf } from '../../kernel/time-zone.ts';
import { toStandardFontText } from '../../labels/index.ts';

/** What a payment receipt shows. */
export interface ReceiptData {
  libraryName: string;
  branchName: string | null;
  receiptNumber: string;
  paidAt: Date;
  /** IANA zone the date and time are printed in (the patron's home branch), or UTC. */
  timeZone: string;
  patronName: string;
  method: string;
  amountMinor: number;
  currency: string;
  /** What the payment covered, oldest charge first. */
  parts: { description: string; chargedAt: string; amountMinor: number }[];
  /** Σ of the patron's account right after the payment (negative: the patron is in credit). */
  balanceAfterMinor: number;
  note: string | null;
}

/** Receipt printers take 80 mm paper; the PDF is that wide and as long as its content. */
const WIDTH = (80 / 25.4) * 72;
const MARGIN = 12;
const INNER = WIDTH - 2 * MARGIN;
const BODY = 9;

type Doc = PDFKit.PDFDocument;

interface Block {
  text: string;
  font?: 'Helvetica' | 'Helvetica-Bold';
  size?: number;
  align?: 'left' | 'center' | 'right';
  /** A right-aligned amount on the same line as `text`. */
  amount?: string;
  gapAfter?: number;
  rule?: boolean;
}

function blocks(data: ReceiptData): Block[] {
  const when = `${localDateOf(data.paidAt, data.timeZone)} ${localTimeOf(data.paidAt, data.timeZone)} (${data.timeZone})`;
  const out: Block[] = [{ text: data.libraryName, font: 'Helvetica-Bold', size: 12, align: 'center' }];
  if (data.branchName) out.push({ text: data.branchName, align: 'center' });
  out.push(
    { text: 'Payment receipt', font: 'Helvetica-Bold', size: 11, align: 'center', gapAfter: 6 },
    { text: `Receipt no. ${data.receiptNumber}` },
    { text: when },
    { text: `Patron: ${data.patronName}`, gapAfter: 4 },
    { text: '', rule: true },
    {
      text: `Paid (${data.method})`,
      font: 'Helvetica-Bold',
      amount: formatMinor(data.amountMinor, data.currency),
      gapAfter: 4,
    },
    { text: 'Applied to:' },
  );
  for (const part of data.parts) {
    out.push({
      text: `${part.description} (${part.chargedAt.slice(0, 10)})`,
      amount: formatMinor(part.amountMinor, data.currency),
    });
  }
  out.push({ text: '', rule: true });
  const balance = data.balanceAfterMinor;
  out.push({
    text: balance >= 0 ? 'Balance still owed' : 'In credit',
    font: 'Helvetica-Bold',
    amount: formatMinor(Math.abs(balance), data.currency),
    gapAfter: 6,
  });
  if (data.note) out.push({ text: `Note: ${data.note}`, gapAfter: 6 });
  out.push({ text: 'Thank you.', align: 'center' });
  return out;
}

/** Lays the blocks out from the top; draws them when `draw`, and returns the height used. */
function layout(doc: Doc, items: Block[], draw: boolean): number {
  let y = MARGIN;
  for (const block of items) {
    if (block.rule) {
      if (draw)
        doc
          .moveTo(MARGIN, y + 2)
          .lineTo(WIDTH - MARGIN, y + 2)
          .lineWidth(0.5)
          .stroke();
      y += 6;
      continue;
    }
    doc.font(block.font ?? 'Helvetica').fontSize(block.size ?? BODY);
    const amount = block.amount ? toStandardFontText(block.amount) : '';
    const amountWidth = amount ? doc.widthOfString(amount) + 6 : 0;
    const text = toStandardFontText(block.text);
    const options = { width: INNER - amountWidth, align: block.align ?? 'left' } as const;
    const height = Math.max(doc.heightOfString(text || ' ', options), doc.currentLineHeight(true));
    if (draw) {
      if (text) doc.text(text, MARGIN, y, options);
      if (amount) doc.text(amount, WIDTH - MARGIN - amountWidth + 6, y, { lineBreak: false });
    }
    y += height + (block.gapAfter ?? 1);
  }
  return y + MARGIN;
}

/**
 * A payment receipt as a PDF 80 mm wide (receipt printer paper) and as long as its content: library and
 * branch, receipt number, date and time in the branch's zone, patron, amount and method, the charges
 * the payment went to, and the balance after it. Pass `createdAt` for byte-identical output.
 */
export function receiptPdf(data: ReceiptData, options: { createdAt?: Date } = {}): Promise<Buffer> {
  const items = blocks(data);
  const info: PDFKit.DocumentInfo = { Title: `Receipt ${data.receiptNumber}`, Creator: 'Stacks' };
  if (options.createdAt) info.CreationDate = options.createdAt;
  const measure = new PDFDocument({ autoFirstPage: false, margin: 0 });
  measure.addPage({ size: [WIDTH, 10_000], margin: 0 });
  const height = Math.ceil(layout(measure, items, false));
  const doc = new PDFDocument({ autoFirstPage: false, info, margin: 0 });
  doc.addPage({ size: [WIDTH, height], margin: 0 });
  layout(doc, items, true);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
