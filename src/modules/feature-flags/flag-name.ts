/** The shape the feature_flags table's check constraint enforces. */
export const FLAG_NAME_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/** Why a flag name is refused, or null when it is fine; shared by the API and the CLI. */
export function flagNameProblem(name: string): string | null {
  if (FLAG_NAME_PATTERN.test(name)) return null;
  return `A feature flag name is 1 to 64 lower-case letters, digits and underscores, starting with a letter (for example k8s_namespace_isolation); got ${JSON.stringify(name)}.`;
}
