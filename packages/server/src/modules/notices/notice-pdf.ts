import PDFDocument from 'pdfkit';
import { toStandardFontText } from '../../labels/index.ts';

/** One printed letter: who it goes to, and the notice's text as queued. */
export interface NoticeLetter {
  name: string;
  /** Postal address as kept on the patron record (lines separated by newlines); null when unknown. */
  address: string | null;
  /** The date printed on the letter, `YYYY-MM-DD`. */
  date: string;
  subject: string;
  body: string;
}

const MARGIN = 72;

/** Text in the standard fonts' characters, line by line (the conversion would flatten line breaks). */
function printable(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => toStandardFontText(line))
    .join('\n');
}

/**
 * A PDF with one page per letter (US Letter, standard fonts): the date at the top right, the name and
 * address where a window envelope shows them, then the subject and the body. `createdAt` stamps the
 * document, so the same letters give the same bytes.
 */
export function noticeLettersPdf(letters: readonly NoticeLetter[], createdAt: Date): Promise<Buffer> {
  const doc = new PDFDocument({
    autoFirstPage: false,
    size: 'LETTER',
    margin: MARGIN,
    info: { Title: 'Library notices', Creator: 'Stacks', CreationDate: createdAt },
  });
  const done = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  for (const letter of letters) {
    doc.addPage();
    const width = doc.page.width - 2 * MARGIN;
    doc.font('Helvetica').fontSize(10).text(letter.date, MARGIN, MARGIN, { width, align: 'right' });
    const addressLines = [letter.name, ...(letter.address ?? '').split(/\r?\n/)].filter(
      (l) => l.trim() !== '',
    );
    doc.fontSize(11).text(printable(addressLines.join('\n')), MARGIN, MARGIN + 72, { width });
    doc.moveDown(3);
    doc.font('Helvetica-Bold').fontSize(12).text(printable(letter.subject), { width });
    doc.moveDown(1);
    doc.font('Helvetica').fontSize(11).text(printable(letter.body.trimEnd()), { width });
  }
  doc.end();
  return done;
}
