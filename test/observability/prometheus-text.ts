import type { TestGateway } from '../support/harness.js';

/** One sample line of the Prometheus text format (version 0.0.4). */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(?:,|$)/y;
const HELP = /^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* \S.*$/;
const TYPE = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/;
// Prometheus reads values with Go's ParseFloat, which takes NaN in any case: prom-client writes
// `Nan` (an event-loop lag with no sample yet).
const VALUE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[Nn]a[Nn]|[+-]Inf)$/;

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (!match?.[1] || match[2] === undefined) throw new Error(`bad labels in: ${line}`);
    labels[match[1]] = match[2];
  }
  return labels;
}

/**
 * Parses the exposition strictly: every line is a HELP, a TYPE or a sample, and every sample
 * belongs to a family whose TYPE came before it (histograms: _bucket, _sum, _count).
 */
export function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) {
      if (!HELP.test(line)) throw new Error(`bad HELP line: ${line}`);
      continue;
    }
    const type = TYPE.exec(line);
    if (type?.[1] && type[2]) {
      types.set(type[1], type[2]);
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (!sample?.[1] || sample[3] === undefined || !VALUE.test(sample[3])) throw new Error(`not a Prometheus line: ${line}`);
    const name = sample[1];
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count|total|created)$/, '');
    if (!types.has(family)) throw new Error(`sample without a TYPE line before it: ${line}`);
    samples.push({ name, labels: sample[2] ? parseLabels(sample[2], line) : {}, value: Number(sample[3]) });
  }
  return { samples, types };
}

/** The value of the sample with exactly these labels, or undefined when there is none. */
export function valueOf(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels);
  const found = parseExposition(text).samples.find(
    (s) => s.name === name && Object.keys(s.labels).length === wanted.length && wanted.every(([k, v]) => s.labels[k] === v),
  );
  return found?.value;
}

export function metricsUrl(gw: TestGateway): string {
  return gw.url.replace(/\/graphql$/, '/metrics');
}

/** GET /metrics of the gateway, asserted to be a 200 with the Prometheus content type. */
export async function scrape(gw: TestGateway): Promise<string> {
  const response = await fetch(metricsUrl(gw));
  const text = await response.text();
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}: ${text}`);
  if (!(response.headers.get('content-type') ?? '').startsWith('text/plain; version=0.0.4')) {
    throw new Error(`/metrics content-type ${response.headers.get('content-type')}`);
  }
  return text;
}
