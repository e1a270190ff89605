import { checkOperands, findCommand, parseArguments } from './arguments.js';
import { commandUsage, packageVersion, USAGE } from './usage.js';

/** Where help, usage and version text go: the bin's stdout. */
export interface CliOutput {
  write(text: string): unknown;
}

/**
 * What `gatehouse …argv` does, without the process around it (src/cli/main.ts): help and version
 * are written to `out` and answer undefined; a command answers its result. Help and version need
 * only the usage text: the commands, with the database driver, GraphQL and the Kubernetes client
 * behind them, are imported once a command runs, which keeps `--help` well under a second.
 * A usage error throws a CliError (exit 2).
 */
export async function dispatch(argv: string[], out: CliOutput): Promise<unknown> {
  const { values, positionals } = parseArguments(argv);
  if (values.version) {
    out.write(`${packageVersion()}\n`);
    return undefined;
  }
  // `gatehouse help flag enable` and `gatehouse flag enable --help` alike.
  const helpFor = positionals[0] === 'help' ? positionals.slice(1) : values.help ? positionals : undefined;
  if (positionals.length === 0 || helpFor?.length === 0) {
    out.write(`${USAGE}\n`);
    return undefined;
  }
  const { spec, operands } = findCommand(helpFor ?? positionals);
  if (helpFor) {
    out.write(`${commandUsage(spec)}\n`);
    return undefined;
  }
  checkOperands(spec, operands);
  const { runCommand } = await import('./run-command.js');
  return runCommand(spec, operands, values);
}
