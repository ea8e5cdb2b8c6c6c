import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** What the claim script answers for a tick it refuses; a won tick answers its token (>= 1). */
export const CLAIM_TAKEN = -1;
export const CLAIM_EARLY = -2;
export const CLAIM_PAUSED = -3;
export const CLAIM_STALE = -4;
export const CLAIM_EXHAUSTED = -5;
export const CLAIM_OVERLAP = -6;

/** How many ARGV entries each tick of a claim takes (after the two shared ones). */
export const CLAIM_ARGS_PER_TICK = 4;

/**
 * Claims a batch of ticks atomically, judged on the store's clock (`TIME`).
 * KEYS[i] (i = 1..n): the claim hash of tick i's task (`hw`, `token`, `by`, `ans`, `loops`,
 * `busy`, `busytoken`); KEYS[n + i]: its control hash (`paused`, `tversion`, see
 * WRITE_CONTROL_SCRIPT).
 * ARGV[1]: tolerance (ms); ARGV[2]: instance id; then per tick: nominal time (epoch ms), control
 * version planned with, loop budget ('' for none), in-flight ttl in ms ('' unless overlap 'skip').
 *
 * The checks, in order (the in-memory and PostgreSQL coordinators use the same):
 * - `CLAIM_EARLY`: ahead of the store's clock by more than the tolerance;
 * - the high-water tick claimed again by its claimer (`by`; its reply was lost): the answer it
 *   got (`ans`: its token, or the refusal that used it up), and nothing changes;
 * - `CLAIM_TAKEN`: at or before the high-water mark (someone had it);
 * - `CLAIM_PAUSED`: paused; the mark moves on, so the tick is used up (no replica runs it, and a
 *   restart does not catch it up);
 * - `CLAIM_STALE`: planned with a control version older than the last setTrigger; the mark stays,
 *   so a replica that is up to date may still win it;
 * - `CLAIM_EXHAUSTED`: `loops` (ticks used up since the last setTrigger) reached the budget;
 * - `CLAIM_OVERLAP`: a run marked in flight (`busy`, an expiry on the store's clock) and not
 *   cleared by its record; the tick is used up and counted, so exactly one replica hears
 *   'overlap' and records it skipped;
 * - else won: a new fencing token; under overlap 'skip' the run is marked in flight with it.
 *   A later tick of the task in the same batch (catch-up after an outage) is not refused by a
 *   mark this batch made: it takes the mark over, and the replica, which records the older ticks
 *   missed, applies its own overlap policy.
 * One more answer follows the ticks' answers: the store's clock (epoch ms), for the clock offset.
 * A batch may hold several ticks of one task: they are judged in order, as separate claims.
 * The nominal time is stored as the string sent, never as a Lua number, which tostring() would
 * round to 14 digits; `busy` is written with %d for the same reason.
 */
export const CLAIM_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local limit = now + tonumber(ARGV[1])
local n = #KEYS / 2
local answers = {}
local marked = {}
for i = 1, n do
  local key = KEYS[i]
  local base = 2 + (i - 1) * ${CLAIM_ARGS_PER_TICK}
  local at = ARGV[base + 1]
  local version = tonumber(ARGV[base + 2])
  -- tonumber('') is nil: no budget, no in-flight mark
  local budget = tonumber(ARGV[base + 3])
  local ttl = tonumber(ARGV[base + 4])
  local claim = redis.call('HMGET', key, 'hw', 'by', 'ans')
  local hw = claim[1]
  local control = redis.call('HMGET', KEYS[n + i], 'paused', 'tversion')
  if tonumber(at) > limit then
    answers[i] = ${CLAIM_EARLY}
  elseif hw and tonumber(at) == tonumber(hw) and claim[2] == ARGV[2] and claim[3] then
    answers[i] = tonumber(claim[3])
  elseif hw and tonumber(at) <= tonumber(hw) then
    answers[i] = ${CLAIM_TAKEN}
  elseif control[1] == '1' then
    redis.call('HSET', key, 'hw', at, 'by', ARGV[2], 'ans', ${CLAIM_PAUSED})
    answers[i] = ${CLAIM_PAUSED}
  elseif version < (tonumber(control[2]) or 0) then
    answers[i] = ${CLAIM_STALE}
  elseif budget and (tonumber(redis.call('HGET', key, 'loops')) or 0) >= budget then
    answers[i] = ${CLAIM_EXHAUSTED}
  else
    redis.call('HINCRBY', key, 'loops', 1)
    local busy = tonumber(redis.call('HGET', key, 'busy'))
    if ttl and busy and busy > now and not marked[key] then
      answers[i] = ${CLAIM_OVERLAP}
    else
      local token = redis.call('HINCRBY', key, 'token', 1)
      if ttl then
        redis.call('HSET', key, 'busy', string.format('%d', now + ttl), 'busytoken', token)
        marked[key] = true
      end
      answers[i] = token
    end
    redis.call('HSET', key, 'hw', at, 'by', ARGV[2], 'ans', answers[i])
  end
end
answers[n + 1] = now
return answers
`;

/**
 * Commits one control change of a task and answers the state committed.
 * KEYS[1]: the task's control hash (`paused` '1' or '0', absent until paused or resumed, `version`, `tversion`: the version of
 * the last setTrigger, `trigger`: its description as JSON); KEYS[2]: its claim hash.
 * ARGV[1]: 'pause', 'resume' or 'setTrigger'; ARGV[2]: the trigger's JSON for setTrigger.
 * setTrigger also resets the claim hash's `loops`: the new trigger's budget starts from zero.
 * Answers HMGET of `paused`, `version`, `tversion`, `trigger`.
 */
export const WRITE_CONTROL_SCRIPT = `
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
if ARGV[1] == 'pause' then
  redis.call('HSET', KEYS[1], 'paused', '1')
elseif ARGV[1] == 'resume' then
  redis.call('HSET', KEYS[1], 'paused', '0')
else
  redis.call('HSET', KEYS[1], 'trigger', ARGV[2], 'tversion', version)
  redis.call('HSET', KEYS[2], 'loops', 0)
end
return redis.call('HMGET', KEYS[1], 'paused', 'version', 'tversion', 'trigger')
`;

/**
 * Appends a run to a task's capped history, counts it in the task's run totals and, when the
 * record carries the fencing token of the run marked in flight (overlap 'skip'), clears that
 * mark: one round trip for all.
 * KEYS[1]: the history list; KEYS[2]: the claim hash; KEYS[3]: the totals hash (`runCount`, one
 * field per status, `last`: the newest record's JSON). ARGV[1]: the record's JSON; ARGV[2]: the
 * history size; ARGV[3]: the record's fencing token, or ''; ARGV[4]: its status; ARGV[5]: '1' when
 * the run started (counted in `runCount`), else '0'.
 * Idempotent by (run id, attempt), so that an append retried after its reply was lost (a timeout)
 * is neither listed nor counted twice: KEYS[4] is a sorted set of the ids appended (ARGV[6]),
 * scored by the store's time and capped to the history size, as long as the history keeps them.
 * Answers 1 for a record appended before (nothing written), else 0.
 */
export const APPEND_HISTORY_SCRIPT = `
if redis.call('ZSCORE', KEYS[4], ARGV[6]) then
  return 1
end
local time = redis.call('TIME')
redis.call('ZADD', KEYS[4], tonumber(time[1]) * 1000000 + tonumber(time[2]), ARGV[6])
redis.call('ZREMRANGEBYRANK', KEYS[4], 0, -tonumber(ARGV[2]) - 1)
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
redis.call('HINCRBY', KEYS[3], 'runCount', tonumber(ARGV[5]))
redis.call('HSET', KEYS[3], 'last', ARGV[1])
if ARGV[3] ~= '' and redis.call('HGET', KEYS[2], 'busytoken') == ARGV[3] then
  redis.call('HDEL', KEYS[2], 'busy', 'busytoken')
end
return 0
`;

/**
 * Takes or renews a batch of leases atomically, judged on the store's clock (`TIME`).
 * KEYS[i]: the lease hash of task i (fields `holder`, `expires`, `epoch`).
 * ARGV[1]: ttl (ms); ARGV[2]: instance id.
 * Each task answers an integer, the lease's epoch, if the caller holds it now (taken when free or
 * expired, with `epoch` + 1; renewed by ttl when already its own), or a string, the other holder's
 * id, if refused. `epoch` survives release and expiry, so a new holder always gets a new epoch.
 * `expires` is written with %d: tostring() of a Lua number keeps only 14 digits.
 */
export const HOLD_LEASES_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local expires = string.format('%d', now + tonumber(ARGV[1]))
local answers = {}
for i, key in ipairs(KEYS) do
  local lease = redis.call('HMGET', key, 'holder', 'expires', 'epoch')
  local live = lease[1] and (tonumber(lease[2]) or 0) > now
  if live and lease[1] ~= ARGV[2] then
    answers[i] = lease[1]
  elseif live then
    redis.call('HSET', key, 'expires', expires)
    answers[i] = tonumber(lease[3])
  else
    redis.call('HSET', key, 'holder', ARGV[2], 'expires', expires)
    answers[i] = redis.call('HINCRBY', key, 'epoch', 1)
  end
end
return answers
`;

/**
 * Gives up the leases the caller holds, keeping their epoch counters.
 * KEYS[i]: the lease hash of task i; ARGV[1]: instance id. A lease held by another is left alone.
 */
export const RELEASE_LEASES_SCRIPT = `
for _, key in ipairs(KEYS) do
  if redis.call('HGET', key, 'holder') == ARGV[1] then
    redis.call('HDEL', key, 'holder', 'expires')
  end
end
return 0
`;

/**
 * Renews the in-flight marks of runs still going on the caller's replica, on the store's clock.
 * KEYS[i]: the claim hash of run i's task; ARGV[1]: ttl (ms); ARGV[1 + i]: run i's fencing token.
 * A mark whose token is no longer the run's (cleared, or taken over) is left alone. Sent inside
 * readControl's pipeline, so that it shares the sync's round trip.
 */
export const RENEW_RUNS_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local expires = string.format('%d', now + tonumber(ARGV[1]))
for i, key in ipairs(KEYS) do
  if redis.call('HGET', key, 'busytoken') == ARGV[i + 1] then
    redis.call('HSET', key, 'busy', expires)
  end
end
return 0
`;

/**
 * Keeps the first anchor proposed for each (task, schedule) and answers the kept ones.
 * KEYS[i]: the anchor hash of proposal i's task (one field per schedule).
 * ARGV[2i - 1]: proposal i's schedule; ARGV[2i]: its proposed anchor (epoch ms).
 * Answers, per proposal, the kept anchor as the string stored (never a Lua number: see above).
 */
export const ANCHORS_SCRIPT = `
local answers = {}
for i, key in ipairs(KEYS) do
  local schedule = ARGV[2 * i - 1]
  redis.call('HSETNX', key, schedule, ARGV[2 * i])
  answers[i] = redis.call('HGET', key, schedule)
end
return answers
`;

/** A Lua script with the SHA1 EVALSHA names it by, computed here so no SCRIPT LOAD is needed first. */
export interface RedisScript {
  source: string;
  sha: string;
}

function script(source: string): RedisScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Every script of the coordinator, loaded into the server's cache at connect(). */
export const SCRIPTS = {
  claim: script(CLAIM_SCRIPT),
  writeControl: script(WRITE_CONTROL_SCRIPT),
  appendHistory: script(APPEND_HISTORY_SCRIPT),
  holdLeases: script(HOLD_LEASES_SCRIPT),
  releaseLeases: script(RELEASE_LEASES_SCRIPT),
  renewRuns: script(RENEW_RUNS_SCRIPT),
  anchors: script(ANCHORS_SCRIPT),
} as const;

/** EVALSHA, then EVAL once if the server lost its script cache (restart, failover, flush). */
export async function evalScript(
  client: Redis,
  { sha, source }: RedisScript,
  keys: string[],
  args: string[],
): Promise<unknown> {
  try {
    return await client.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return client.eval(source, keys.length, ...keys, ...args);
  }
}

/** Whether a script call failed because the server does not have the script cached. */
export function isNoScript(error: unknown): boolean {
  // Matched on the reply text: ReplyError classes differ between ioredis versions.
  return String((error as { message?: unknown } | null)?.message).startsWith('NOSCRIPT');
}
