import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration is validated at start', () => {
  it.each(['Crewai', 'crew_ai', '-crewai', 'crewai-', 'a'.repeat(49), ''])('K8S_NAMESPACE %j is refused, naming the rule', (value) => {
    if (value === '') {
      expect(loadConfig({ K8S_NAMESPACE: value }).k8s.namespace).toBe('crewai');
      return;
    }
    expect(() => loadConfig({ K8S_NAMESPACE: value })).toThrow(ConfigError);
    expect(() => loadConfig({ K8S_NAMESPACE: value })).toThrow(/DNS-1123 label .* at most 48 characters/);
  });

  it('a 48-character K8S_NAMESPACE still yields valid organization namespaces', () => {
    const namespace = `${'a'.repeat(48)}-org-2147483647`;
    expect(loadConfig({ K8S_NAMESPACE: 'a'.repeat(48) }).k8s.namespace).toHaveLength(48);
    expect(namespace.length).toBeLessThanOrEqual(63);
  });

  it.each([
    [{ RBAC_NAMESPACE_ISOLATION: 'yes' }, /RBAC_NAMESPACE_ISOLATION must be true or false/],
    [{ KUBE_CONFIG_SOURCE: 'magic' }, /KUBE_CONFIG_SOURCE must be/],
    [{ PORT: '70000' }, /PORT must be a whole number/],
    [{ NODE_ENV: 'production', AUTH_JWT_SECRET: 'x' }, /development only/],
    [{ AUTH_JWKS_URL: 'https://idp.test/jwks' }, /needs AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE/],
    [{ NODE_ENV: 'production', DATABASE_URL: 'postgres://x/y' }, /GATEHOUSE_SECRET_KEY is required/],
    [
      { RUNNER_URL_TEMPLATE: 'http://automation-{automationId}.{namespace}:8080/{executionId}' },
      /RUNNER_URL_TEMPLATE must be an http\(s\) URL whose placeholders are among \{automationId\}, \{namespace\}, \{organizationId\}/,
    ],
    [{ RUNNER_URL_TEMPLATE: 'ftp://runner/{automationId}' }, /RUNNER_URL_TEMPLATE must be an http\(s\) URL/],
    [{ RUNNER_TIMEOUT_MS: '50' }, /RUNNER_TIMEOUT_MS must be a whole number/],
    [{ OTLP_MAX_BYTES: '10' }, /OTLP_MAX_BYTES must be a whole number/],
    [{ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'yes' }, /WEBHOOK_ALLOW_PRIVATE_TARGETS must be true or false/],
    [{ WEBHOOK_ALLOW_HTTP: '1' }, /WEBHOOK_ALLOW_HTTP must be true or false/],
    [{ WEBHOOK_TIMEOUT_MS: '10' }, /WEBHOOK_TIMEOUT_MS must be a whole number from 100/],
    [{ WEBHOOK_RETRY_BASE_MS: '60000', WEBHOOK_RETRY_MAX_DELAY_MS: '1000' }, /WEBHOOK_RETRY_MAX_DELAY_MS \(1000\) must be at least WEBHOOK_RETRY_BASE_MS/],
    [{ INTROSPECTION: 'public' }, /INTROSPECTION must be authenticated or off; got "public"/],
    [{ DATABASE_POOL_MAX: '4', DATABASE_POOL_MIN: '5' }, /DATABASE_POOL_MIN must be a whole number from 0 to 4; got "5"/],
  ])('%j is refused', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it.each([
    [{}, 10, 10],
    [{ DATABASE_POOL_MAX: '4' }, 4, 4],
    [{ DATABASE_POOL_MAX: '20', DATABASE_POOL_MIN: '2' }, 20, 2],
    [{ DATABASE_POOL_MIN: '0' }, 10, 0],
  ])('%j: a pool of %i connections, %i kept open when idle', (env, max, min) => {
    expect(loadConfig(env)).toMatchObject({ databasePoolMax: max, databasePoolMin: min });
  });

  it('webhooks: plain http only in development by default, private targets never by default', () => {
    expect(loadConfig({}).webhooks).toMatchObject({ allowHttp: true, allowPrivateTargets: false, workerIntervalMs: 1000, retryWindowSeconds: 86_400 });
    expect(loadConfig({ NODE_ENV: 'test' }).webhooks.allowHttp).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', WEBHOOK_ALLOW_HTTP: 'true' }).webhooks.allowHttp).toBe(true);
  });
});
