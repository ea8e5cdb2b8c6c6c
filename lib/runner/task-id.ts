import { createHash } from 'node:crypto';

/** Namespace of task ids (a UUID of our own), so ids differ from other name-based UUIDs. */
const TASK_ID_NAMESPACE = '6f1d7c52-3b9e-4c1a-9e57-5b4f0d8a2c11';

/**
 * A UUID (version 5) derived from the task name: the same on every restart and every replica, so
 * history, APIs and (later) cluster locks can refer to a task by id.
 */
export function taskIdFromName(name: string): string {
  const namespace = Buffer.from(TASK_ID_NAMESPACE.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(namespace).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  // join() makes one flat string; a template literal of slices would keep a tree of slices and
  // the whole hex string alive in every task that caches its id (about 300 B more per task).
  const parts = [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20),
  ];
  return parts.join('-');
}
