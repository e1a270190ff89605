import { describe, expect, it } from 'vitest';
import { InFlightDeploys } from '../../src/modules/deployments/in-flight-deploys.js';

// Issue 14 §1: at most K8S_DEPLOYS_PER_ORGANIZATION deploys of one organization apply at once in a
// process; the rest wait their turn in order, and another organization never waits for them.
function gate(): { promise: Promise<void>; open(): void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('deploy turns per organization', () => {
  it('runs at most the cap of one organization at once, the others in arrival order, and others at once', async () => {
    const deploys = new InFlightDeploys(2);
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const run = (organizationId: number, id: string) =>
      deploys.track({ id, organizationId }, async () => {
        started.push(id);
        const g = gate();
        gates.set(id, g);
        await g.promise;
        return id;
      });
    const tick = () => new Promise((resolve) => setImmediate(resolve));

    const a = ['a1', 'a2', 'a3', 'a4', 'a5'].map((id) => run(1, id));
    const b = run(2, 'b1');
    await tick();
    expect(started).toEqual(['a1', 'a2', 'b1']);
    expect(deploys.waiting(1)).toBe(3);
    expect(deploys.waiting(2)).toBe(0);

    gates.get('a2')?.open();
    await tick();
    expect(started).toEqual(['a1', 'a2', 'b1', 'a3']);
    gates.get('b1')?.open();
    gates.get('a1')?.open();
    await tick();
    expect(started).toEqual(['a1', 'a2', 'b1', 'a3', 'a4']);
    for (const id of ['a3', 'a4']) gates.get(id)?.open();
    await tick();
    gates.get('a5')?.open();
    expect(await Promise.all([...a, b])).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'b1']);
    expect(deploys.waiting(1)).toBe(0);
  });

  it('a failing deploy hands its turn on', async () => {
    const deploys = new InFlightDeploys(1);
    const first = deploys.track({ id: 'x1', organizationId: 7 }, () => Promise.reject(new Error('Kubernetes said no')));
    const second = deploys.track({ id: 'x2', organizationId: 7 }, () => Promise.resolve('applied'));
    await expect(first).rejects.toThrow('Kubernetes said no');
    await expect(second).resolves.toBe('applied');
  });
});
