import type { FieldError, GroupResource } from './status.js';
import type { JsonObject } from './types.js';

/**
 * What the generic registry needs to know about one served resource: its identity, the
 * per-kind strategy (PrepareForCreate/PrepareForUpdate/Validate/ValidateUpdate), and the
 * v1 decoding the apiserver does before any of that.
 */
export interface KindDef extends GroupResource {
  version: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  /** Name validation: DNS-1123 label for namespaces, subdomain for secrets and deployments. */
  nameErrors(name: string): string[];
  /** Conversion from the wire form (e.g. Secret.stringData, base64 data); throws a 400 KubeError. */
  decode(obj: JsonObject): void;
  /** Defaults and server-owned fields on create (status, generation). */
  prepareForCreate(obj: JsonObject): void;
  /** Carries server-owned fields over from `old` on update (status, generation bumps). */
  prepareForUpdate(obj: JsonObject, old: JsonObject): void;
  validate(obj: JsonObject): FieldError[];
  validateUpdate(obj: JsonObject, old: JsonObject): FieldError[];
}

export function apiVersionOf(def: { group: string; version: string }): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}
