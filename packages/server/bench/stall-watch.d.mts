// Types of stall-watch.mjs (plain JavaScript, so the server probe can load it without tsx).
export declare const STALL_MS: number;
export declare const MAX_LISTED: number;
export declare function watchStalls(
  into: { at: number; ms: number }[],
  options?: { unref?: boolean },
): () => void;
