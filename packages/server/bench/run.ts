/**
 * `npm run bench`: runs every benchmark and prints its numbers. Benchmarks measure; they never fail a
 * build on timing. Name one to run only it: `npm run bench -- startup`.
 */
import { catalogBenchmark } from './catalog.bench.ts';
import { circulationBenchmark } from './circulation.bench.ts';
import { marcParseBenchmark } from './marc-parse.bench.ts';
import { startupBenchmark } from './startup.bench.ts';
import { webBenchmark } from './web.bench.ts';

const BENCHMARKS: Record<string, () => Promise<void>> = {
  startup: startupBenchmark,
  catalog: catalogBenchmark,
  'marc-parse': marcParseBenchmark,
  circulation: circulationBenchmark,
  web: webBenchmark,
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
if (process.argv.includes('--help')) {
  console.log(`Usage: npm run bench [-- NAME…]\nBenchmarks: ${Object.keys(BENCHMARKS).join(', ')}`);
  process.exit(0);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(BENCHMARKS)) {
  const run = BENCHMARKS[name];
  if (!run) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n== ${name}`);
  await run();
}
