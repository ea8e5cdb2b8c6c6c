/** Node clamps setTimeout delays above 2^31-1 ms (about 24.8 days) to 1 ms, so longer waits go in chunks. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * Resolves after `ms` of real time, or rejects with the signal's reason when it aborts.
 * Waits longer than the timer limit are split into chunks, re-measured against Date.now().
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const wakeAt = Date.now() + ms;
    let timer: ReturnType<typeof setTimeout>;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const arm = () => {
      const remaining = wakeAt - Date.now();
      if (remaining <= 0) {
        signal?.removeEventListener('abort', onAbort);
        return resolve();
      }
      timer = setTimeout(arm, Math.min(remaining, MAX_TIMER_DELAY_MS));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(arm, Math.min(Math.max(ms, 0), MAX_TIMER_DELAY_MS));
  });
}
