/**
 * A one-line progress bar on standard error for long CLI work (import, export, backup). It draws only
 * when standard error is a terminal, so logs and pipes stay clean.
 */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const tty = stream.isTTY === true;
  let lastDraw = 0;
  const update = (done: number, total: number, detail = '') => {
    if (!tty || total <= 0) return;
    const now = performance.now();
    if (now - lastDraw < 100 && done < total) return;
    lastDraw = now;
    const width = 30;
    const ratio = Math.min(1, done / total);
    const filled = Math.round(ratio * width);
    stream.write(
      `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(ratio * 100)}% ${detail}\u001b[K`,
    );
  };
  update.done = () => {
    if (tty) stream.write('\n');
  };
  return update;
}
