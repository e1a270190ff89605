// The attacking client of bench/response-memory.ts, in a process of its own (forked with IPC).
// In the measuring process, its answers of up to MAX_RESPONSE_BYTES each were read and parsed on
// the same event loop that timed the other tenant: every parse of a large answer delayed the
// tenant's timings, and the bench reported the harness's own pauses as the gateway's unfairness.
// An attacker on another machine costs the tenant's client nothing; here it costs a share of the
// CPU, as it would cost the gateway's host nothing at all.
//
// Sends `query` with `variables` as `token`, `concurrency` at a time, until the parent sends
// "stop"; then reports { statuses, largestAnswerBytes } and exits.
import process from 'node:process';

interface Attack {
  url: string;
  token: string;
  query: string;
  variables: Record<string, string>;
  concurrency: number;
}

function parseAttack(text: string | undefined): Attack {
  const value: unknown = JSON.parse(text ?? 'null');
  if (typeof value !== 'object' || value === null) throw new Error('bench/attacker.ts: pass the attack as JSON in argv[2]');
  const { url, token, query, variables, concurrency } = value as Record<string, unknown>;
  if (typeof url !== 'string' || typeof token !== 'string' || typeof query !== 'string' || typeof concurrency !== 'number')
    throw new Error('bench/attacker.ts: the attack needs url, token, query and concurrency');
  if (typeof variables !== 'object' || variables === null) throw new Error('bench/attacker.ts: the attack needs variables');
  return { url, token, query, variables: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])), concurrency };
}

const attack = parseAttack(process.argv[2]);
let attacking = true;
process.on('message', (message) => {
  if (message === 'stop') attacking = false;
});

const statuses: Record<string, number> = {};
let largestAnswerBytes = 0;
// Only small answers are parsed, for their error code: a refusal is small, a served read is not.
const PARSED_UP_TO = 64 * 1024;

async function attackOnce(): Promise<void> {
  const response = await fetch(attack.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${attack.token}` },
    body: JSON.stringify({ query: attack.query, variables: attack.variables }),
  });
  const raw = Buffer.from(await response.arrayBuffer());
  largestAnswerBytes = Math.max(largestAnswerBytes, raw.length);
  const code =
    raw.length <= PARSED_UP_TO
      ? (JSON.parse(raw.toString('utf8')) as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.[0]?.extensions?.code
      : undefined;
  const key = `${response.status}${code ? ` ${code}` : ''}`;
  statuses[key] = (statuses[key] ?? 0) + 1;
}

await Promise.all(
  Array.from({ length: attack.concurrency }, async () => {
    while (attacking) await attackOnce();
  }),
);
process.send?.({ statuses, largestAnswerBytes });
process.disconnect?.();
