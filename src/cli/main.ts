#!/usr/bin/env node
import { checkOperands, findCommand, parseArguments } from './arguments.js';
import { CliError } from './cli-error.js';
import { commandUsage, packageVersion, USAGE } from './usage.js';

/**
 * The `gatehouse` bin. Help and version need only the usage text: the commands, with the database
 * driver, GraphQL and the Kubernetes client behind them, are imported once a command runs, which
 * keeps `--help` well under a second.
 */
async function run(argv: string[]): Promise<unknown> {
  const { values, positionals } = parseArguments(argv);
  if (values.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return undefined;
  }
  // `gatehouse help flag enable` and `gatehouse flag enable --help` alike.
  const helpFor = positionals[0] === 'help' ? positionals.slice(1) : values.help ? positionals : undefined;
  if (positionals.length === 0 || helpFor?.length === 0) {
    process.stdout.write(`${USAGE}\n`);
    return undefined;
  }
  const { spec, operands } = findCommand(helpFor ?? positionals);
  if (helpFor) {
    process.stdout.write(`${commandUsage(spec)}\n`);
    return undefined;
  }
  checkOperands(spec, operands);
  const { runCommand } = await import('./run-command.js');
  return runCommand(spec, operands, values);
}

run(process.argv.slice(2))
  .then((result) => {
    if (result !== undefined) process.stdout.write(`${JSON.stringify(result)}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`gatehouse: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof CliError ? 2 : 1);
  });
