// Plain ESM on purpose: worker threads and child processes do not get the TypeScript transform,
// so this file must be copied to dist as is. It loads the job's module and calls the named export.

/** Loaded job modules, so that each worker imports a module once. */
const modules = new Map();

/** Runs one job in a piscina or tinypool worker; errors come back as data so crashes stay distinct. */
export default async function runJob({ module, fn, args }) {
  try {
    let loaded = modules.get(module);
    if (loaded === undefined) {
      loaded = await import(module);
      modules.set(module, loaded);
    }
    const target = loaded[fn];
    if (typeof target !== 'function') {
      throw new TypeError(`"${fn}" is not a function exported by ${module}`);
    }
    const value = await target(...args);
    assertCloneable(value, fn);
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}

// piscina and tinypool crash the worker when a result cannot be cloned, with an unreadable error;
// checking here costs one extra clone, and only for results that are objects.
function assertCloneable(value, fn) {
  if (value === null || typeof value !== 'object') {
    if (typeof value !== 'function' && typeof value !== 'symbol') return;
  } else if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return;
  }
  try {
    globalThis.structuredClone(value);
  } catch (error) {
    const failure = new TypeError(
      `the value returned by "${fn}" cannot be sent back: ${error.message}`,
    );
    failure.name = 'DataCloneError';
    throw failure;
  }
}

/**
 * Errors cross the process boundary as plain objects; Error subclasses do not survive cloning. Own
 * fields that cannot be cloned (a function, an HTTP client's config) are left out: one of them
 * would make the whole reply fail to send, and the job would look like a crash. Every read of the
 * thrown value is guarded, for the same reason: a getter that throws or a value `String()` refuses
 * (a null-prototype object) must still fail the job with its own error, not reject this function.
 */
function serializeError(error) {
  if (!isError(error)) return { name: 'Error', message: describe(error), stack: undefined };
  const plain = {};
  for (const key of safely(() => Object.keys(error), [])) {
    const value = safely(() => error[key], undefined);
    if (value !== undefined && isCloneable(value)) plain[key] = value;
  }
  const name = safely(() => error.name, undefined);
  const stack = safely(() => error.stack, undefined);
  const cause = safely(() => error.cause, undefined);
  plain.name = typeof name === 'string' ? name : 'Error';
  plain.message = describe(error);
  plain.stack = typeof stack === 'string' ? stack : undefined;
  if (cause !== undefined) plain.cause = safely(() => String(cause), undefined) ?? describe(cause);
  return plain;
}

function isError(value) {
  return safely(() => value instanceof Error, false);
}

/** The value's message, else its string form, else its type tag; never throws. */
function describe(value) {
  const message = safely(() => value?.message, undefined);
  if (typeof message === 'string') return message;
  const text = safely(() => String(value), undefined);
  if (text !== undefined) return text;
  return safely(() => Object.prototype.toString.call(value), 'a value that cannot be described');
}

function safely(read, fallback) {
  try {
    return read();
  } catch {
    return fallback;
  }
}

function isCloneable(value) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    return typeof value !== 'symbol';
  }
  try {
    globalThis.structuredClone(value);
    return true;
  } catch {
    return false;
  }
}
