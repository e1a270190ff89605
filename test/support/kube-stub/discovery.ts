import type { Reply } from './types.js';

/** Just enough discovery for clients that look before they leap. */

const resource = (name: string, kind: string, namespaced: boolean, verbs: string[]): object => ({
  name,
  singularName: kind.toLowerCase(),
  namespaced,
  kind,
  verbs,
});

const CRUD = ['create', 'delete', 'get', 'list', 'patch', 'update'];

const GROUPS = [
  { name: 'apps', version: 'v1', resources: [resource('deployments', 'Deployment', true, CRUD)] },
  { name: 'authorization.k8s.io', version: 'v1', resources: [resource('selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, ['create'])] },
];

function groupBody(group: (typeof GROUPS)[number]): object {
  const version = { groupVersion: `${group.name}/${group.version}`, version: group.version };
  return { name: group.name, versions: [version], preferredVersion: version };
}

/** Answers a discovery path, or null when the path is not one. */
export function discovery(path: string, host: string): Reply | null {
  const clean = path.replace(/\/+$/, '') || '/';
  switch (clean) {
    case '/version':
      return {
        code: 200,
        body: {
          major: '1',
          minor: '31',
          gitVersion: 'v1.31.0-kube-stub',
          gitCommit: 'kube-stub',
          gitTreeState: 'clean',
          goVersion: 'go1.22',
          compiler: 'gc',
          platform: 'linux/amd64',
        },
      };
    case '/api':
      return { code: 200, body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] } };
    case '/api/v1':
      return {
        code: 200,
        body: {
          kind: 'APIResourceList',
          groupVersion: 'v1',
          resources: [resource('namespaces', 'Namespace', false, CRUD), resource('secrets', 'Secret', true, CRUD), resource('services', 'Service', true, CRUD)],
        },
      };
    case '/apis':
      return { code: 200, body: { kind: 'APIGroupList', apiVersion: 'v1', groups: GROUPS.map(groupBody) } };
  }
  for (const group of GROUPS) {
    if (clean === `/apis/${group.name}`) return { code: 200, body: { kind: 'APIGroup', apiVersion: 'v1', ...groupBody(group) } };
    if (clean === `/apis/${group.name}/${group.version}`) {
      return { code: 200, body: { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group.name}/${group.version}`, resources: group.resources } };
    }
  }
  return null;
}
