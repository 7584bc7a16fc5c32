// The `fieldwork` command: parses the command line, runs one command, exits with its code.
import { CommanderError } from 'commander';
import { cacheClear, cacheStats } from './commands/cache';
import { estimateCommand } from './commands/estimate';
import { exportEdslCommand, importEdslCommand } from './commands/edsl';
import { jobsCompare } from './commands/compare';
import { jobsCancel, jobsList, jobsLogs, jobsResults, jobsRetry, jobsShow } from './commands/jobs';
import { keysCreate, keysList, keysRevoke } from './commands/keys';
import { loginCommand, logoutCommand } from './commands/login';
import { runCommand } from './commands/run';
import { serveCommand } from './commands/serve';
import { mockProviderCommand } from './commands/mock-provider';
import { dbCopyCommand, migrateCommand } from './commands/database';
import { defaultDataDir } from './connect';
import { EXIT, reportFailure } from './failure';
import { processCli, type Cli } from './io';
import { buildProgram, type Handlers } from './program';

export function handlersFor(cli: Cli): Handlers {
  return {
    serve: (o) => serveCommand(cli, o),
    keysCreate: (o) => keysCreate(cli, o),
    keysList: (o) => keysList(cli, o),
    keysRevoke: (target, o) => keysRevoke(cli, target, o),
    cacheStats: (o) => cacheStats(cli, o),
    cacheClear: (o) => cacheClear(cli, o),
    run: (file, o) => runCommand(cli, file, o),
    estimate: (file, o) => estimateCommand(cli, file, o),
    jobsList: (o) => jobsList(cli, o),
    jobsShow: (id, o) => jobsShow(cli, id, o),
    jobsCancel: (id, o) => jobsCancel(cli, id, o),
    jobsRetry: (id, o) => jobsRetry(cli, id, o),
    jobsLogs: (id, o) => jobsLogs(cli, id, o),
    jobsResults: (id, o) => jobsResults(cli, id, o),
    jobsCompare: (a, b, o) => jobsCompare(cli, a, b, o),
    login: (o) => loginCommand(cli, o),
    logout: () => logoutCommand(cli),
    mockProvider: (o) => mockProviderCommand(cli, o),
    importEdsl: async (file, o) => importEdslCommand(cli, file, o),
    exportEdsl: async (file, o) => exportEdslCommand(cli, file, o),
    migrate: (o) => migrateCommand(cli, o),
    dbCopy: (o) => dbCopyCommand(cli, o),
  };
}

/** Runs the command line `argv` (as process.argv) and resolves to the exit code. */
export async function main(argv: string[], cli: Cli = processCli()): Promise<number> {
  const outcome = { exitCode: EXIT.ok as number };
  const program = buildProgram(handlersFor(cli), { outcome, defaultDataDir: defaultDataDir(cli.env) });
  try {
    await program.parseAsync(argv);
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the usage problem (or the help/version asked for).
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    return reportFailure(cli, error);
  }
}

quietSqliteWarning();

if (require.main === module) {
  void main(process.argv).then((code) => {
    // Let stdout drain into a pipe before leaving; open sockets or timers must not keep the process alive.
    process.stdout.write('', () => process.exit(code));
  });
}

/** node:sqlite is marked experimental on Node 22; the warning would only confuse users of this CLI. */
function quietSqliteWarning(): void {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/SQLite is an experimental feature/i.test(text)) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}
