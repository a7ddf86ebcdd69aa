#!/usr/bin/env node
// Entry point: flags and subcommands — serve (default), check <config>, eval.
import { runCheck } from './commands/check.js';
import { runEval } from './commands/eval.js';
import { UsageError } from './commands/errors.js';
import { HELP, parseEvalFlags, parseServeFlags } from './commands/flags.js';
import { runServe } from './commands/serve.js';
import { VERSION } from './version.js';

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (argv.includes('--help') || argv.includes('-h') || command === 'help') {
      process.stdout.write(HELP);
      return 0;
    }
    if (argv.includes('--version')) {
      process.stdout.write(`fleet-json-exporter ${VERSION} (node ${process.version})\n`);
      return 0;
    }
    switch (command) {
      case 'check': {
        if (rest.length !== 1 || rest[0]?.startsWith('-'))
          throw new UsageError('check: give exactly one config file: fleet-json-exporter check <config.yml>');
        return await runCheck(rest[0], process.stdout, process.stderr);
      }
      case 'eval':
        return await runEval(parseEvalFlags(rest), process.stdout, process.stderr);
      case 'serve':
        return await serve(rest);
      default:
        if (command !== undefined && !command.startsWith('-')) throw new UsageError(`unknown command "${command}"`);
        return await serve(argv);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`fleet-json-exporter: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

async function serve(args: readonly string[]): Promise<number> {
  const flags = parseServeFlags(args);
  if (flags.configCheck) return runCheck(flags.configFile, process.stdout, process.stderr);
  return runServe(flags, process.stderr);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `fleet-json-exporter: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 70;
  },
);
