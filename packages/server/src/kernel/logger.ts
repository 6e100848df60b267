/**
 * The logger shape services use: pino-compatible, so Fastify's logger (or a child of it) can be
 * passed straight in. Log ids and counts, never names, barcodes or who borrowed what.
 */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** A logger that drops everything, for tests and for CLI commands that print their own output. */
export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silentLogger;
  },
};
