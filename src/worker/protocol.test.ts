/** A worker's role travels in its name: lab.worker.ts reads back exactly the role the page made it with. */
import { describe, expect, it } from 'vitest';
import { WORKER_ROLES, roleOfWorker, workerName } from './protocol.ts';

describe('worker roles', () => {
  it('names each role and reads the name back', () => {
    expect(workerName('trainer')).toBe('gradient-lab-trainer');
    expect(workerName('cliff')).toBe('gradient-lab-cliff');
    for (const role of WORKER_ROLES) expect(roleOfWorker(workerName(role))).toBe(role);
  });

  it('gives no role for a name the lab does not make', () => {
    for (const name of [
      '',
      'trainer',
      'gradient-lab-',
      'gradient-lab-bench',
      'gradient-lab-trainer ',
      'x-gradient-lab-sweep',
    ])
      expect(roleOfWorker(name), name).toBeNull();
  });
});
