import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { forwardUrl } from '../../src/modules/hitl/forward-answer.js';
import type { HitlRequestRow } from '../../src/modules/hitl/hitl.table.js';

// Where an answer goes: HITL_FORWARD_URL_TEMPLATE, checked at start, filled per request; a
// request's callbackPath picks the path on the automation's own origin, never another host.

const request = (callbackPath: string | null): HitlRequestRow => ({
  id: 'req-1',
  organizationId: 7,
  automationId: 'auto-1',
  deploymentId: 'dep-1',
  executionId: null,
  question: 'q',
  context: {},
  callbackPath,
  status: 'ANSWERED',
  answer: {},
  answeredByUserId: null,
  answeredByServiceAccountId: null,
  answeredAt: new Date(),
  forwardStatus: 'PENDING',
  forwardError: null,
  forwardAttempts: 1,
  forwardAttemptedAt: new Date(),
  createdAt: new Date(),
  expiresAt: new Date(),
});

describe('HITL_FORWARD_URL_TEMPLATE', () => {
  it("defaults to the automation's in-cluster Service", () => {
    const config = loadConfig({}).k8s;
    expect(forwardUrl(config, request(null), 'crewai-org-7').href).toBe('http://automation-auto-1.crewai-org-7.svc.cluster.local:8080/hitl/req-1');
  });

  it('fills every placeholder, URL-encoded', () => {
    const config = loadConfig({ HITL_FORWARD_URL_TEMPLATE: 'https://relay.test/{organizationId}/{namespace}/{automationId}?r={requestId}' }).k8s;
    expect(forwardUrl(config, { ...request(null), id: 'a b' }, 'ns').href).toBe('https://relay.test/7/ns/auto-1?r=a%20b');
  });

  it('a callbackPath replaces the path and keeps the origin', () => {
    const config = loadConfig({}).k8s;
    expect(forwardUrl(config, request('/answers/x?y=1'), 'ns').href).toBe('http://automation-auto-1.ns.svc.cluster.local:8080/answers/x?y=1');
  });

  it.each(['http://x/{unknown}', 'ftp://host/{requestId}', 'not a url'])('%j is refused at start, naming the variable', (template) => {
    expect(() => loadConfig({ HITL_FORWARD_URL_TEMPLATE: template })).toThrow(/HITL_FORWARD_URL_TEMPLATE must be an http\(s\) URL/);
  });

  it('HITL_FORWARD_TIMEOUT_MS is bounded', () => {
    expect(loadConfig({}).k8s.hitlForwardTimeoutMs).toBe(10_000);
    expect(() => loadConfig({ HITL_FORWARD_TIMEOUT_MS: '5' })).toThrow(/HITL_FORWARD_TIMEOUT_MS must be a whole number/);
  });
});
