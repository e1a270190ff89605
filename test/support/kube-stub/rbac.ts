import type { PolicyRule } from './types.js';

/**
 * The RBAC bindings of the stub's one user (the gateway's service account): at most one
 * ClusterRoleBinding (automatic mode) and one RoleBinding per namespace (manual mode).
 * Evaluated like the RBAC authorizer: a ClusterRoleBinding applies to every request, a
 * RoleBinding only to requests whose namespace is the binding's. No rule, no access.
 */

export const DEFAULT_CLUSTER_RULES: PolicyRule[] = [{ verbs: ['*'], resources: ['namespaces', 'secrets', 'deployments', 'configmaps', 'pods', 'services'] }];

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace: string;
  name: string;
}

export interface Decision {
  allowed: boolean;
  /** Set when allowed, as the RBAC authorizer phrases it. */
  reason?: string;
}

/** Paths system:discovery and system:public-info-viewer open to every authenticated user. */
const DISCOVERY_PATHS = [/^\/api\/?$/, /^\/api\/.*/, /^\/apis\/?$/, /^\/apis\/.*/, /^\/version\/?$/, /^\/(healthz|livez|readyz)$/, /^\/openapi\/.*/];

function covers(values: string[], wanted: string): boolean {
  return values.includes('*') || values.includes(wanted);
}

function ruleAllows(rule: PolicyRule, a: ResourceAttributes): boolean {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return covers(rule.verbs, a.verb) && covers(rule.resources, resource);
}

export class Rbac {
  private clusterRules: PolicyRule[] | null = null;
  private readonly namespaceRules = new Map<string, PolicyRule[]>();

  constructor(readonly user: string) {}

  grantClusterWide(rules: PolicyRule[] = DEFAULT_CLUSTER_RULES): void {
    this.clusterRules = structuredClone(rules);
  }

  revokeClusterWide(): void {
    this.clusterRules = null;
  }

  bindInNamespace(namespace: string, rules: PolicyRule[]): void {
    this.namespaceRules.set(namespace, structuredClone(rules));
  }

  unbindNamespace(namespace: string): void {
    this.namespaceRules.delete(namespace);
  }

  /** ServiceAccount "name/namespace" for a service-account user, else User "name". */
  private subject(): { kind: string; name: string; describe: string } {
    const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(this.user);
    if (sa) return { kind: 'ServiceAccount', name: sa[2] ?? '', describe: `ServiceAccount "${sa[2]}/${sa[1]}"` };
    return { kind: 'User', name: this.user, describe: `User "${this.user}"` };
  }

  authorize(a: ResourceAttributes): Decision {
    const subject = this.subject();
    if (this.clusterRules?.some((rule) => ruleAllows(rule, a))) {
      return { allowed: true, reason: `RBAC: allowed by ClusterRoleBinding "${subject.name}" of ClusterRole "${subject.name}" to ${subject.describe}` };
    }
    const local = a.namespace ? this.namespaceRules.get(a.namespace) : undefined;
    if (local?.some((rule) => ruleAllows(rule, a))) {
      return { allowed: true, reason: `RBAC: allowed by RoleBinding "${subject.name}/${a.namespace}" of Role "${subject.name}" to ${subject.describe}` };
    }
    return { allowed: false };
  }

  authorizeNonResource(verb: string, path: string): Decision {
    if (verb === 'get' && DISCOVERY_PATHS.some((re) => re.test(path))) {
      return {
        allowed: true,
        reason: 'RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to Group "system:authenticated"',
      };
    }
    return { allowed: false };
  }
}
