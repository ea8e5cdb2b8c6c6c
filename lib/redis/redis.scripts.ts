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
return answers
`;

/** The script's SHA1, as EVALSHA names it: computed here, so a claim needs no SCRIPT LOAD first. */
export const CLAIM_SCRIPT_SHA = createHash('sha1').update(CLAIM_SCRIPT).digest('hex');
