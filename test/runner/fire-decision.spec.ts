import { describe, it, expect } from '@jest/globals';
import { decideFire } from '../../lib/runner/fire-decision.js';

const policies = { catchUpWindow: null, misfire: 'runOnce', overlap: 'skip' } as const;
const onTime = { lateness: 3, activeRuns: 0, hasQueuedFire: false };

describe('decideFire', () => {
  it('runs a fire time that is on time and alone', () => {
    expect(decideFire(policies, 1_000, onTime)).toEqual({ action: 'run' });
  });

  it('runs a late fire once with runOnce, and misses it with skip', () => {
    const late = { ...onTime, lateness: 9_000 };
    expect(decideFire(policies, 1_000, late).action).toBe('run');
    expect(decideFire({ ...policies, misfire: 'skip' }, 1_000, late)).toEqual({
      action: 'missed',
      why: "9000 ms late and the misfire policy is 'skip'",
    });
    expect(decideFire({ ...policies, misfire: 'skip' }, 10_000, late).action).toBe('run');
  });

  it('misses a fire beyond the catch-up window whatever the misfire policy', () => {
    const late = { ...onTime, lateness: 6_000 };
    expect(decideFire({ ...policies, catchUpWindow: 5_000 }, 1_000, late).action).toBe('missed');
    expect(decideFire({ ...policies, catchUpWindow: 7_000 }, 1_000, late).action).toBe('run');
  });

  it('applies the overlap policy while a run goes', () => {
    const busy = { ...onTime, activeRuns: 1 };
    expect(decideFire(policies, 1_000, busy).action).toBe('skipped');
    expect(decideFire({ ...policies, overlap: 'allow' }, 1_000, busy).action).toBe('run');
    expect(decideFire({ ...policies, overlap: 'queue' }, 1_000, busy).action).toBe('queue');
    expect(
      decideFire({ ...policies, overlap: 'queue' }, 1_000, { ...busy, hasQueuedFire: true }).action,
    ).toBe('skipped');
  });
});
