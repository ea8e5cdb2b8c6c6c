import { createHash } from 'node:crypto';

/** What the claim script answers for a tick it refuses; a won tick answers its token (>= 1). */
export const CLAIM_TAKEN = -1;
export const CLAIM_EARLY = -2;

/**
 * Claims a batch of ticks atomically, judged on the store's clock (`TIME`).
 * KEYS[i]: the claim hash of tick i's task (fields `hw`, `token`, `by`).
 * ARGV[1]: tolerance (ms); ARGV[2]: instance id; ARGV[2 + i]: tick i's nominal time (epoch ms).
 * Each tick answers `CLAIM_EARLY` if it is ahead of the store's clock by more than the tolerance,
 * `CLAIM_TAKEN` if it is at or before the task's high-water mark, else its new fencing token.
 * One more answer follows the ticks' answers: the store's clock (epoch ms), for the clock offset.
 * A batch may hold several ticks of one task: they are judged in order, as separate claims.
 * The nominal time is stored as the string sent, never as a Lua number, which tostring() would
 * round to 14 digits.
 */
export const CLAIM_SCRIPT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local limit = now + tonumber(ARGV[1])
local answers = {}
for i, key in ipairs(KEYS) do
  local at = ARGV[i + 2]
  if tonumber(at) > limit then
    answers[i] = ${CLAIM_EARLY}
  else
    local hw = redis.call('HGET', key, 'hw')
    if hw and tonumber(at) <= tonumber(hw) then
      answers[i] = ${CLAIM_TAKEN}
    else
      redis.call('HSET', key, 'hw', at, 'by', ARGV[2])
      answers[i] = redis.call('HINCRBY', key, 'token', 1)
    end
  end
end
answers[#KEYS + 1] = now
return answers
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
  holdLeases: script(HOLD_LEASES_SCRIPT),
  releaseLeases: script(RELEASE_LEASES_SCRIPT),
  anchors: script(ANCHORS_SCRIPT),
} as const;
