// Plain ESM: worker threads load it as is, without the TypeScript transform.

/** Counts the primes in [from, to) by trial division: deliberately CPU-bound. */
export function countPrimes(from, to) {
  let count = 0;
  for (let n = Math.max(2, from); n < to; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}
