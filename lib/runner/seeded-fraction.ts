/**
 * A number in [0, 1) drawn from `key` alone: the same on every replica and restart. Used where a
 * cluster needs every replica to make the same "random" choice (the jitter of a tick). FNV-1a over
 * the UTF-16 code units, then a final avalanche so that keys differing in their last characters
 * (consecutive nominal times) still land far apart.
 */
export function seededFraction(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 0x1_0000_0000;
}
