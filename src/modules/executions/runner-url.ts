import type { RUNNER_URL_PLACEHOLDERS } from '../../config.js';

export type RunnerUrlValues = Record<(typeof RUNNER_URL_PLACEHOLDERS)[number], string>;

/**
 * The kickoff address of one deployed automation: RUNNER_URL_TEMPLATE with its placeholders
 * filled in. The default template names the Service every deploy applies (src/k8s/manifests.ts),
 * in the namespace the deployed version went to; tests and local runs point it elsewhere.
 */
export function runnerUrl(template: string, values: RunnerUrlValues): string {
  const byName = new Map<string, string>(Object.entries(values));
  // The values are a UUID, a DNS label and a number; escaped anyway so none can break the URL.
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = byName.get(name);
    return value === undefined ? whole : encodeURIComponent(value);
  });
}
