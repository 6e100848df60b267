// Shared by the benchmark's paced client and the server's probe (plain JavaScript, so the probe can load
// it into a server that runs without tsx): a timer due every 2 ms, and a note each time it ran late.

/** An event-loop pause this long or longer is listed. */
export const STALL_MS = 5;
/** At most this many stalls are listed. */
export const MAX_LISTED = 5000;

/**
 * Notes in `into` each time the event loop ran a timer due every 2 ms `STALL_MS` or more late (from when,
 * in ms since the epoch, and how late), until the returned function is called. `unref`: the timer does
 * not keep the process alive.
 */
export function watchStalls(into, { unref = false } = {}) {
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const late = now - last - 2;
    if (late >= STALL_MS && into.length < MAX_LISTED)
      into.push({ at: performance.timeOrigin + last + 2, ms: Math.round(late * 100) / 100 });
    last = now;
  }, 2);
  if (unref) timer.unref();
  return () => clearInterval(timer);
}
