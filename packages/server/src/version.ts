import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The server package's folder (`packages/server`). Code runs from `src/` or from the bundle in
 * `dist/`, both one level below it, so this holds either way.
 */
export const PACKAGE_DIR: string = fileURLToPath(new URL('..', import.meta.url));

/** The server's version, from its package.json. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
