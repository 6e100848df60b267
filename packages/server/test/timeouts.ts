/**
 * Time limits for tests that start processes (the `stacks` command, servers) or drive a browser.
 *
 * They must hold on a busy 2-core machine (the whole suite runs two test files at a time, each starting
 * processes or a browser of its own), yet still fail a test that hangs. Each limit is at least three
 * times the slowest time seen for that kind of work on such a machine under heavy extra load.
 */

/** One `stacks` command (migrate, seed, import, export, jobs …) from spawn to exit. */
export const COMMAND_TIMEOUT_MS = 60_000;

/** `stacks serve` from spawn to its "serving on" line, with the migrations of a new database. */
export const SERVER_START_TIMEOUT_MS = 30_000;

/** A test that runs several `stacks` commands or server processes one after another. */
export const PROCESS_TEST_TIMEOUT_MS = 90_000;

/**
 * A browser test: Chromium drives a page through several steps against a real server. Some steps wait
 * up to a minute of their own for a background import to finish.
 */
export const BROWSER_TEST_TIMEOUT_MS = 90_000;
