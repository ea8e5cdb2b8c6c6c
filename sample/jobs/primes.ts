/** The worker module that counts primes, as a file URL the supervisor's workers can import. */
export const PRIMES_WORKER = new URL('./primes.worker.mjs', import.meta.url);
