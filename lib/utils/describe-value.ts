/** Characters of a string kept in a description; a huge value must not flood a message or a log. */
const MAX_STRING = 60;
/** Entries of an array or object listed before the rest is counted. */
const MAX_ENTRIES = 5;
/** The longest description; nested keys and values could otherwise add up. */
const MAX_LENGTH = 200;

/**
 * Describes any value for an error message, and never throws: BigInt, symbols, null-prototype
 * objects, proxies, throwing getters and throwing `toString`s all get a short description.
 */
export function describeValue(value: unknown): string {
  try {
    return cut(describe(value, 0), MAX_LENGTH);
  } catch {
    // A getter, a proxy trap or a name lookup threw: say what kind of value it is and no more.
    return value === null ? 'null' : `a value of type ${typeof value}`;
  }
}

function describe(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return `Symbol(${value.description === undefined ? '' : cut(value.description, MAX_STRING)})`;
    case 'function':
      return typeof value.name === 'string' && value.name !== ''
        ? `[Function: ${cut(value.name, MAX_STRING)}]`
        : '[Function (anonymous)]';
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'object':
      return value === null ? 'null' : describeObject(value, depth);
    default:
      return String(value); // boolean or undefined
  }
}

function describeObject(value: object, depth: number): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (depth > 0) return '[…]';
    const shown = value.slice(0, MAX_ENTRIES).map((item: unknown) => describe(item, depth + 1));
    return `[${shown.join(', ')}${more(value.length)}]`;
  }
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  }
  if (value instanceof Error) {
    const { name, message } = value as { name: unknown; message: unknown };
    return `${typeof name === 'string' ? name : 'Error'}: ${typeof message === 'string' ? cut(message, MAX_STRING) : ''}`;
  }
  const prefix = typePrefix(value);
  const keys = Object.keys(value);
  if (keys.length === 0) return `${prefix}{}`;
  if (depth > 0) return `${prefix}{…}`;
  const shown = keys
    .slice(0, MAX_ENTRIES)
    .map(
      (key) => `${keyText(key)}: ${describe((value as Record<string, unknown>)[key], depth + 1)}`,
    );
  return `${prefix}{ ${shown.join(', ')}${more(keys.length)} }`;
}

/** Names the class of an object that is not a plain one, as Node's inspector does. */
function typePrefix(value: object): string {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === null) return '[Object: null prototype] ';
  if (prototype === Object.prototype) return '';
  const name: unknown = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object'
    ? `${cut(name, MAX_STRING)} `
    : '';
}

function keyText(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? cut(key, MAX_STRING) : quote(key);
}

function more(count: number): string {
  return count > MAX_ENTRIES ? `, … ${count - MAX_ENTRIES} more` : '';
}

function quote(text: string): string {
  // JSON quotes and escapes control characters and lone surrogates (a cut can split a pair).
  if (text.length <= MAX_STRING) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, MAX_STRING)).slice(0, -1)}…" (${text.length} characters)`;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
