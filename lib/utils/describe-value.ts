const MAX_LENGTH = 200;

/**
 * A short text for any value, for messages and history; never throws, whatever the value (a
 * BigInt, a Symbol, an object without a prototype, a `toString` that throws, a Proxy).
 */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    if (typeof value === 'string') text = JSON.stringify(value);
    else if (typeof value === 'bigint') text = `${value}n`;
    else if (typeof value === 'object' && value !== null) text = describeObject(value);
    else text = String(value);
  } catch {
    text = fallback(value);
  }
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}

function describeObject(value: object): string {
  if (Array.isArray(value)) return `array(${value.length})`;
  const text = String(value);
  return text === '[object Object]' ? (JSON.stringify(value) ?? text) : text;
}

function fallback(value: unknown): string {
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return typeof value;
  }
}
