import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { WEB_DIST } from '../src/http/routes/home.routes.ts';
import { seedDemoLibrary } from '../src/seed/seed.ts';
import { hasChromium, launchBrowser } from '../test/browser.ts';
import globalSetup from '../test/global-setup.ts';
import { startWebServer } from '../test/web-server.ts';
import { summarize } from './stats.ts';

/** Searches typed into the public catalog, as a patron would. */
const QUERIES = ['jazz', 'music', 'history', 'piano', 'love', 'war', 'songs', 'france', 'blues', 'opera'];

/** Gzipped bytes of the JavaScript a page loads at once (its module script and the chunks it preloads). */
function initialJsGzip(page: string): { files: string[]; bytes: number } {
  const html = readFileSync(join(WEB_DIST, page), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  const bytes = files.reduce((sum, f) => sum + gzipSync(readFileSync(join(WEB_DIST, f))).length, 0);
  return { files, bytes };
}

/**
 * The public catalog's budgets (issue 5): JavaScript shipped for the search page ≤ 150 KB gzipped, and
 * results on screen within 300 ms of Enter on the demo data, measured in Debian's Chromium against a
 * real server on loopback.
 */
export async function webBenchmark(): Promise<void> {
  globalSetup();
  for (const page of ['index.html', join('staff', 'index.html')]) {
    const { files, bytes } = initialJsGzip(page);
    console.log(
      `${page}: ${(bytes / 1024).toFixed(1)} KB of JavaScript gzipped at first load (${files.join(', ')})`,
    );
  }
  if (!hasChromium) {
    console.log('search timing skipped: no Chromium at /usr/bin/chromium (apt-get install chromium)');
    return;
  }
  const server = await startWebServer('sqlite');
  const browser = await launchBrowser();
  try {
    await seedDemoLibrary(server.app);
    const page = await browser.newPage();
    const firstLoad = performance.now();
    await page.goto(`${server.baseUrl}/`);
    const box = page.getByRole('searchbox').first();
    await box.waitFor();
    console.log(
      `public catalog first load to a usable search box: ${(performance.now() - firstLoad).toFixed(0)} ms`,
    );
    const times: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const query of QUERIES) {
        await box.fill(query);
        const t0 = performance.now();
        await box.press('Enter');
        await page
          .getByText(new RegExp(`(results? for|No results for) “${query}”`))
          .first()
          .waitFor();
        times.push(performance.now() - t0);
      }
    }
    console.log(
      `search, Enter to results on screen (demo catalog, ${QUERIES.length} queries × 3): ${summarize(times)}`,
    );
  } finally {
    await browser.close();
    await server.close();
  }
}
