import { randomUUID } from 'node:crypto';
import { clone, isObject, metadataOf, objectAt, stringAt } from './json.js';
import type { KindDef } from './kinds.js';
import { apiVersionOf } from './kinds.js';
import type { JsonObject } from './types.js';

/**
 * The stub's etcd: one map per resource (key `name`, or `namespace/name`) and one global
 * resourceVersion counter bumped on every write, as etcd's revision is.
 */

export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class Store {
  private revision = 0;
  readonly namespaces = new Map<string, JsonObject>();
  readonly secrets = new Map<string, JsonObject>();
  readonly deployments = new Map<string, JsonObject>();
  readonly services = new Map<string, JsonObject>();

  private mapFor(def: KindDef): Map<string, JsonObject> {
    switch (def.resource) {
      case 'namespaces':
        return this.namespaces;
      case 'secrets':
        return this.secrets;
      case 'deployments':
        return this.deployments;
      case 'services':
        return this.services;
      default:
        throw new Error(`kube-stub: no storage for ${def.resource}`);
    }
  }

  private static key(def: KindDef, namespace: string, name: string): string {
    return def.namespaced ? `${namespace}/${name}` : name;
  }

  currentVersion(): string {
    return String(this.revision);
  }

  /** A copy of the stored object, or undefined. */
  get(def: KindDef, namespace: string, name: string): JsonObject | undefined {
    const stored = this.mapFor(def).get(Store.key(def, namespace, name));
    return isObject(stored) ? clone(stored) : undefined;
  }

  namespaceExists(name: string): boolean {
    return this.namespaces.has(name);
  }

  /** Copies of the stored objects in etcd key order, optionally within one namespace. */
  list(def: KindDef, namespace: string | null): JsonObject[] {
    const prefix = namespace === null ? '' : `${namespace}/`;
    return [...this.mapFor(def).entries()]
      .filter(([key, value]) => key.startsWith(prefix) && isObject(value))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, value]) => clone(value));
  }

  /** Fills the fields the registry sets on create (uid, creationTimestamp) without storing. */
  static fillSystemFields(def: KindDef, obj: JsonObject): void {
    obj['kind'] = def.kind;
    obj['apiVersion'] = apiVersionOf(def);
    const meta = metadataOf(obj);
    meta['uid'] = randomUUID();
    meta['creationTimestamp'] = now();
    delete meta['resourceVersion'];
    delete meta['deletionTimestamp'];
    delete meta['deletionGracePeriodSeconds'];
  }

  /** Stores a copy with a fresh resourceVersion; returns what was stored (a copy). */
  write(def: KindDef, obj: JsonObject): JsonObject {
    this.revision += 1;
    const stored = clone(obj);
    stored['kind'] = def.kind;
    stored['apiVersion'] = apiVersionOf(def);
    metadataOf(stored)['resourceVersion'] = String(this.revision);
    const meta = objectAt(stored, 'metadata') ?? {};
    this.mapFor(def).set(Store.key(def, stringAt(meta, 'namespace') ?? '', stringAt(meta, 'name') ?? ''), stored);
    return clone(stored);
  }

  /** Removes the object (a write: the revision moves). */
  remove(def: KindDef, namespace: string, name: string): void {
    if (this.mapFor(def).delete(Store.key(def, namespace, name))) this.revision += 1;
  }

  /** What the namespace controller does after a namespace is deleted: delete everything in it. */
  removeNamespaceContents(namespace: string): void {
    for (const map of [this.secrets, this.deployments, this.services]) {
      for (const key of [...map.keys()]) {
        if (key.startsWith(`${namespace}/`)) {
          map.delete(key);
          this.revision += 1;
        }
      }
    }
  }
}
