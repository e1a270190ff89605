import { parseArgs } from 'node:util';
import { CliError } from './cli-error.js';
import { COMMANDS, commandUsage, USAGE, type CommandSpec } from './usage.js';

const OPTIONS = {
  name: { type: 'string' },
  'owner-email': { type: 'string' },
  org: { type: 'string' },
  'user-email': { type: 'string' },
  'service-account': { type: 'string' },
  'expires-in-days': { type: 'string' },
  email: { type: 'string' },
  client: { type: 'string' },
  'older-than-days': { type: 'string' },
  'scope-automation': { type: 'string', multiple: true },
  'scope-permission': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** Every option of every command; each command reads the ones it takes. */
export type CliValues = ReturnType<typeof parseArguments>['values'];

export function parseArguments(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    // parseArgs's own errors (an unknown option, a missing value) are usage errors: exit 2, as the others.
    throw new CliError(`${error instanceof Error ? error.message : String(error)}\nRun \`gatehouse <command> --help\` for the options of a command.`);
  }
}

/** The command `positionals` start with, and the words after it; operands are checked apart, so that `--help` works without them. */
export function findCommand(positionals: string[]): { spec: CommandSpec; operands: string[] } {
  for (const spec of COMMANDS) {
    const words = spec.command.split(' ').length;
    if (positionals.slice(0, words).join(' ') === spec.command) return { spec, operands: positionals.slice(words) };
  }
  throw new CliError(`Unknown command "${positionals.join(' ')}".\n\n${USAGE}`);
}

export function checkOperands(spec: CommandSpec, operands: string[]): void {
  const arity = spec.operands;
  if (arity === 'one or more' ? operands.length > 0 : operands.length === arity) return;
  const expected = arity === 0 ? 'no operand' : arity === 'one or more' ? 'one or more operands' : `${arity} operand`;
  throw new CliError(`${spec.command} takes ${expected}; got ${JSON.stringify(operands)}.\n\n${commandUsage(spec)}`);
}

export function required(value: string | undefined, flag: string, spec: CommandSpec): string {
  if (!value) throw new CliError(`${flag} is required.\n\n${commandUsage(spec)}`);
  return value;
}

export function organizationIdOption(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const organizationId = Number(raw);
  if (!Number.isInteger(organizationId) || organizationId < 1) throw new CliError('--org must be an organization id (a whole number).');
  return organizationId;
}
