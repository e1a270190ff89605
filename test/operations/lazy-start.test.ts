import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../src/paths.js';
import { createServerStore, killServerProcesses, startServerProcess, type ServerStore } from '../support/server-process.js';

// Issue 16 §5, start fast: the built server (`node dist/src/main.js`) loads a client only when
// its configuration needs it: @kubernetes/client-node (about half a second) when a cluster is
// configured (README KUBE_CONFIG_SOURCE; src/k8s/open-cluster.ts), ioredis (50 ms) when REDIS_URL
// is set (src/http/rate-limit.ts). Every module the process imports is written down by a loader
// hook (test/support/module-trace.mjs), and a client must be among them exactly when its
// configuration is there.
const TRACE_HOOK = path.join(ROOT_DIR, 'test/support/module-trace.mjs');

let store: ServerStore;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  store = await createServerStore();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-lazy-start-'));
  kubeconfig = path.join(dir, 'kubeconfig');
  // Never contacted: the server talks to the API on a deploy or a /readyz, neither of which comes.
  fs.writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{ name: test, cluster: { server: "https://127.0.0.1:1" } }]',
      'users: [{ name: test, user: { token: test } }]',
      'contexts: [{ name: test, context: { cluster: test, user: test } }]',
      'current-context: test',
    ].join('\n'),
  );
});

afterAll(async () => {
  killServerProcesses();
  await store?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const traces = new Map<string, Promise<string[]>>();

/** The modules the server imported until it served, as resolved URLs; one start per configuration. */
function modulesLoadedBy(env: Record<string, string>): Promise<string[]> {
  const key = JSON.stringify(Object.entries(env).sort());
  const known = traces.get(key);
  if (known) return known;
  const trace = traceModules(env);
  traces.set(key, trace);
  return trace;
}

async function traceModules(env: Record<string, string>): Promise<string[]> {
  const trace = path.join(dir, `modules-${Date.now()}.txt`);
  const server = await startServerProcess({
    ...store.env,
    NODE_OPTIONS: `--import ${TRACE_HOOK}`,
    MODULE_TRACE_FILE: trace,
    KUBERNETES_SERVICE_HOST: '',
    ...env,
  });
  server.child.kill('SIGTERM');
  await server.exited;
  return fs.readFileSync(trace, 'utf8').split('\n');
}

/** No cluster though a kubeconfig is there, no Redis: the start several rows below share. */
const withoutClients = () => ({ KUBE_CONFIG_SOURCE: 'off', KUBECONFIG: kubeconfig, REDIS_URL: '' });

describe('the server loads a client only when its configuration is there', () => {
  const missing = () => path.join(dir, 'no-such-kubeconfig');
  const KUBERNETES = { name: '@kubernetes/client-node', path: '/node_modules/@kubernetes/client-node/' };
  const REDIS = { name: 'ioredis', path: '/node_modules/ioredis/' };
  const cases: { configuration: string; env: () => Record<string, string>; client: typeof KUBERNETES; loads: boolean }[] = [
    {
      configuration: 'KUBE_CONFIG_SOURCE=auto, not in a pod, no kubeconfig',
      env: () => ({ KUBE_CONFIG_SOURCE: 'auto', KUBECONFIG: missing() }),
      client: KUBERNETES,
      loads: false,
    },
    { configuration: 'KUBE_CONFIG_SOURCE=off, though a kubeconfig is there', env: withoutClients, client: KUBERNETES, loads: false },
    {
      configuration: 'KUBE_CONFIG_SOURCE=auto with a kubeconfig',
      env: () => ({ KUBE_CONFIG_SOURCE: 'auto', KUBECONFIG: kubeconfig }),
      client: KUBERNETES,
      loads: true,
    },
    {
      configuration: 'KUBE_CONFIG_SOURCE=kubeconfig',
      env: () => ({ KUBE_CONFIG_SOURCE: 'kubeconfig', KUBECONFIG: kubeconfig }),
      client: KUBERNETES,
      loads: true,
    },
    { configuration: 'no REDIS_URL', env: withoutClients, client: REDIS, loads: false },
    { configuration: 'REDIS_URL set', env: () => ({ KUBE_CONFIG_SOURCE: 'off', REDIS_URL: 'redis://127.0.0.1:6379' }), client: REDIS, loads: true },
  ];

  it.each(cases)(
    '$configuration: loads $client.name: $loads',
    async ({ env, client, loads }) => {
      const modules = await modulesLoadedBy(env());
      // The trace saw the server's own modules: an empty trace would pass the "not loaded" rows.
      expect(modules.some((url) => url.endsWith('/dist/src/main.js'))).toBe(true);
      expect(modules.some((url) => url.includes(client.path))).toBe(loads);
    },
    60_000,
  );
});

// The start's other half (README "Start"): `npm run build` bundles the server, so that it reads a
// few files instead of 966 modules. The packages bundled into it (kysely, graphql, Apollo) must not
// load from node_modules as well: a second copy of graphql-js fails at the first query.
describe('the built server is bundled', () => {
  it('loads its own code from a few files of dist/, and kysely, graphql and Apollo from none of node_modules', async () => {
    const modules = await modulesLoadedBy(withoutClients());
    const own = modules.filter((url) => url.includes('/dist/') && !url.includes('/node_modules/'));
    expect(own.some((url) => url.endsWith('/dist/src/main.js'))).toBe(true);
    expect(own.length).toBeLessThan(40);
    for (const bundled of ['/node_modules/kysely/', '/node_modules/graphql/', '/node_modules/@apollo/server/'])
      expect(modules.filter((url) => url.includes(bundled))).toEqual([]);
  }, 60_000);
});
