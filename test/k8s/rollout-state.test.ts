import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { rolloutState } from '../../src/k8s/rollout.js';

// When a move into another namespace may remove the old objects (src/k8s/rollout.ts): as
// `kubectl rollout status` decides. The stand-in only ever reports the last row.
const deployment = (generation: number, replicas: number, status: V1Deployment['status']): V1Deployment => ({
  metadata: { generation },
  spec: { replicas, selector: {}, template: {} },
  status,
});
const stalled = { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "x" has timed out progressing.' };

describe('rolloutState', () => {
  it.each([
    ['missing', null, { done: false, failed: true }],
    [
      'spec not observed yet',
      deployment(2, 1, { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 }),
      { done: false, failed: false },
    ],
    ['past its progress deadline', deployment(1, 1, { observedGeneration: 1, conditions: [stalled] }), { done: false, failed: true }],
    [
      'new replicas still being created',
      deployment(1, 2, { observedGeneration: 1, replicas: 2, updatedReplicas: 1, availableReplicas: 1 }),
      { done: false, failed: false },
    ],
    [
      'old replicas still terminating',
      deployment(1, 1, { observedGeneration: 1, replicas: 2, updatedReplicas: 1, availableReplicas: 1 }),
      { done: false, failed: false },
    ],
    [
      'new replicas not available yet',
      deployment(1, 1, { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 0 }),
      { done: false, failed: false },
    ],
    ['rolled out', deployment(3, 1, { observedGeneration: 3, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 }), { done: true }],
  ] as const)('%s', (_case, input, expected) => {
    expect(rolloutState(input)).toMatchObject(expected);
  });
});
