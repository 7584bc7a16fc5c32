// The command line: names, arguments and options of every command, mapped onto typed handler calls.
import { Command, InvalidArgumentError, Option, type OutputConfiguration } from 'commander';
import { JobStatus, ResultFormat } from '../api';
import type { ServeOptions } from './commands/serve';
import type { RunOptions } from './commands/run';
import type { MockProviderOptions } from './commands/mock-provider';
import { PRESETS } from '../mock-provider/presets';
import { VERSION } from '../api/version';

type Remote = { server?: string | undefined };
/** /v1's formats, and EDSL's Results JSON. */
export type ResultsFormat = ResultFormat | 'edsl';

/** What each command does once its arguments are parsed; main.ts wires the real ones, tests wire fakes. */
export interface Handlers {
  serve(opts: ServeOptions): Promise<number>;
  keysCreate(opts: { user: string; dataDir: string; init: boolean }): Promise<number>;
  keysList(opts: { dataDir: string; json: boolean }): Promise<number>;
  keysRevoke(target: string, opts: { dataDir: string }): Promise<number>;
  cacheStats(opts: { dataDir: string; json: boolean }): Promise<number>;
  cacheClear(opts: { dataDir: string }): Promise<number>;
  run(file: string, opts: RunOptions): Promise<number>;
  estimate(file: string, opts: Remote & { json: boolean }): Promise<number>;
  jobsList(opts: Remote & { status?: JobStatus[]; limit?: number; json: boolean }): Promise<number>;
  jobsShow(id: string, opts: Remote & { json: boolean }): Promise<number>;
  jobsCancel(id: string, opts: Remote): Promise<number>;
  jobsRetry(id: string, opts: Remote): Promise<number>;
  jobsLogs(id: string, opts: Remote & { follow: boolean }): Promise<number>;
  jobsResults(id: string, opts: Remote & { format: ResultsFormat; output?: string | undefined }): Promise<number>;
  jobsCompare(a: string, b: string | undefined, opts: Remote & { models?: [string, string] | undefined; json: boolean }): Promise<number>;
  login(opts: Remote & { key?: string | undefined }): Promise<number>;
  logout(): Promise<number>;
  /** Optional so fakes need not implement it. */
  mockProvider?(opts: MockProviderOptions): Promise<number>;
  importEdsl?(file: string, opts: { output?: string | undefined; force: boolean }): Promise<number>;
  exportEdsl?(file: string, opts: { output?: string | undefined; jobs: boolean }): Promise<number>;
  migrate?(opts: { database?: string | undefined }): Promise<number>;
  dbCopy?(opts: { from: string; to?: string | undefined }): Promise<number>;
}

export interface ProgramOptions {
  /** Where the exit code of the command that ran is put. */
  outcome: { exitCode: number };
  /** `$FIELDWORK_DATA_DIR` or `~/.fieldwork`. */
  defaultDataDir: string;
  output?: OutputConfiguration;
}

function twoModels(value: string): [string, string] {
  const parts = value.split(',').map((part) => part.trim());
  if (parts.length !== 2 || parts.some((part) => part === '')) throw new InvalidArgumentError('give two models, comma-separated, e.g. --models gpt-4o,claude');
  return [parts[0]!, parts[1]!];
}

export function buildProgram(handlers: Handlers, options: ProgramOptions): Command {
  const program = new Command('fieldwork')
    .description('Run LLM surveys on a Fieldwork job server: estimate, run, follow, read the results.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  if (options.output) program.configureOutput(options.output);
  const done = (code: number): void => {
    options.outcome.exitCode = code;
  };
  const serverOption = (): Option => new Option('--server <url>', 'job server URL (default: FIELDWORK_SERVER_URL, the stored login, or a local server)');

  program
    .command('serve')
    .description('run a job server on this machine')
    .addOption(new Option('--port <port>', 'port to listen on').argParser(port).default(8787))
    .option('--host <host>', 'address to listen on (loopback unless you mean otherwise)', '127.0.0.1')
    .option('--data-dir <dir>', 'where jobs, results and the cache are kept', options.defaultDataDir)
    .addOption(new Option('--max-interviews <n>', 'largest job accepted, in interviews').argParser(positiveInt))
    .addOption(new Option('--max-body-mb <n>', 'largest request accepted, in MB: a survey with the files it carries (default 64)').argParser(positiveInt))
    .option('--config <file>', 'services config (YAML): providers, base URLs, key variables, prices, limits (default: FIELDWORK_CONFIG)')
    .addOption(new Option('--idle-exit-after <seconds>', 'stop when no job runs and no request comes for this long').argParser(positiveInt))
    .option('--database <url>', "a team's PostgreSQL database (postgres://…) instead of SQLite in the data directory (default: FIELDWORK_DATABASE_URL)")
    .action(
      async (o: {
        port: number;
        host: string;
        dataDir: string;
        maxInterviews?: number;
        maxBodyMb?: number;
        config?: string;
        idleExitAfter?: number;
        database?: string;
      }) =>
        done(
          await handlers.serve({
            port: o.port,
            host: o.host,
            dataDir: o.dataDir,
            ...(o.database !== undefined ? { database: o.database } : {}),
            maxInterviews: o.maxInterviews,
            ...(o.maxBodyMb !== undefined ? { maxBodyMb: o.maxBodyMb } : {}),
            ...(o.config !== undefined ? { config: o.config } : {}),
            ...(o.idleExitAfter !== undefined ? { idleExitAfter: o.idleExitAfter } : {}),
          }),
        ),
    );

  program
    .command('migrate')
    .description("bring a team's PostgreSQL database to this version's schema (a server also does it when it starts)")
    .option('--database <url>', 'postgres://… (default: FIELDWORK_DATABASE_URL)')
    .action(async (o: { database?: string }) => done(await handlers.migrate!({ database: o.database })));
  program
    .command('db')
    .description("a team's PostgreSQL database")
    .command('copy')
    .description("copy a data directory's keys, jobs, results, events and cache into an empty PostgreSQL database")
    .requiredOption('--from <dir>', 'the data directory (stop its server first)')
    .option('--to <url>', 'postgres://… (default: FIELDWORK_DATABASE_URL)')
    .action(async (o: { from: string; to?: string }) => done(await handlers.dbCopy!({ from: o.from, to: o.to })));

  const cache = program.command('cache').description("the server's cache of model calls (every user's and team's)");
  cache
    .command('stats')
    .description('how many calls are cached, and their size')
    .option('--data-dir <dir>', "the server's data directory", options.defaultDataDir)
    .option('--json', 'print as JSON', false)
    .action(async (o: { dataDir: string; json: boolean }) => done(await handlers.cacheStats({ dataDir: o.dataDir, json: o.json })));
  cache
    .command('clear')
    .description('forget every cached call (the next runs call the models again)')
    .option('--data-dir <dir>', "the server's data directory", options.defaultDataDir)
    .action(async (o: { dataDir: string }) => done(await handlers.cacheClear({ dataDir: o.dataDir })));

  const keys = program.command('keys').description("manage the API keys in a server's data directory (also while it runs)");
  keys
    .command('create')
    .description('create an API key for a user (shown once)')
    .requiredOption('--user <name>', 'who the key belongs to')
    .option('--data-dir <dir>', "the server's data directory", options.defaultDataDir)
    .option('--init', 'create the data directory if it holds no Fieldwork data yet', false)
    .action(async (o: { user: string; dataDir: string; init: boolean }) => done(await handlers.keysCreate({ user: o.user, dataDir: o.dataDir, init: o.init })));
  keys
    .command('list')
    .description('every key: id, user, created, last used, revoked (never the key itself)')
    .option('--data-dir <dir>', "the server's data directory", options.defaultDataDir)
    .option('--json', 'print the list as JSON', false)
    .action(async (o: { dataDir: string; json: boolean }) => done(await handlers.keysList({ dataDir: o.dataDir, json: o.json })));
  keys
    .command('revoke')
    .description('revoke a key by its id, or every key of a user by name; refused from the next request on')
    .argument('<name-or-id>', 'a user name, or a key id (key_…) from `keys list`')
    .option('--data-dir <dir>', "the server's data directory", options.defaultDataDir)
    .action(async (target: string, o: { dataDir: string }) => done(await handlers.keysRevoke(target, { dataDir: o.dataDir })));

  program
    .command('run')
    .description('check a survey file, submit it and follow it to the end')
    .argument('<file>', 'survey file (*.survey.yaml, *.survey.json)')
    .option('--json', 'print only the final job as JSON on stdout', false)
    .option('--detach', 'print the job id once it is queued and exit', false)
    .option('--fresh', 'bypass the cache: call the models again', false)
    .option('--quiet', 'no progress output', false)
    .addOption(serverOption())
    .action(async (file: string, o: RunOptions) =>
      done(await handlers.run(file, { json: o.json, detach: o.detach, fresh: o.fresh, quiet: o.quiet, server: o.server })),
    );

  program
    .command('estimate')
    .description('tokens and cost per model before running')
    .argument('<file>', 'survey file')
    .option('--json', 'print the estimate as JSON', false)
    .addOption(serverOption())
    .action(async (file: string, o: { json: boolean; server?: string }) => done(await handlers.estimate(file, { json: o.json, server: o.server })));

  const jobs = program.command('jobs').description('list, inspect and control jobs');
  jobs
    .command('list')
    .description('your jobs, newest first')
    .addOption(new Option('--status <statuses>', `only these statuses, comma-separated (${JobStatus.options.join(', ')})`).argParser(statuses))
    .addOption(new Option('--limit <n>', 'at most this many jobs (1-200)').argParser(limit))
    .option('--json', 'print the list as JSON', false)
    .addOption(serverOption())
    .action(async (o: { status?: JobStatus[]; limit?: number; json: boolean; server?: string }) =>
      done(await handlers.jobsList({ status: o.status, limit: o.limit, json: o.json, server: o.server })),
    );
  jobs
    .command('show')
    .description("a job's status, progress and cost")
    .argument('<id>', 'job id')
    .option('--json', 'print the job as JSON', false)
    .addOption(serverOption())
    .action(async (id: string, o: { json: boolean; server?: string }) => done(await handlers.jobsShow(id, { json: o.json, server: o.server })));
  jobs
    .command('cancel')
    .description('cancel a job (what was spent stays spent)')
    .argument('<id>', 'job id')
    .addOption(serverOption())
    .action(async (id: string, o: Remote) => done(await handlers.jobsCancel(id, { server: o.server })));
  jobs
    .command('retry')
    .description('run again the interviews of a job that did not finish')
    .argument('<id>', 'job id')
    .addOption(serverOption())
    .action(async (id: string, o: Remote) => done(await handlers.jobsRetry(id, { server: o.server })));
  jobs
    .command('logs')
    .description("a job's events: time, type, message")
    .argument('<id>', 'job id')
    .option('--follow', 'keep printing events until the job ends', false)
    .addOption(serverOption())
    .action(async (id: string, o: { follow: boolean; server?: string }) => done(await handlers.jobsLogs(id, { follow: o.follow, server: o.server })));
  jobs
    .command('results')
    .description("a job's results, streamed")
    .argument('<id>', 'job id')
    .addOption(new Option('--format <format>', 'output format (edsl: EDSL Results JSON)').choices([...ResultFormat.options, 'edsl']).default('jsonl'))
    .option('--output <file>', 'write to this file instead of stdout')
    .addOption(serverOption())
    .action(async (id: string, o: { format: ResultsFormat; output?: string; server?: string }) =>
      done(await handlers.jobsResults(id, { format: o.format, output: o.output, server: o.server })),
    );

  jobs
    .command('compare')
    .description('two jobs (or two models of one job) side by side, with a test of each difference')
    .argument('<a>', 'job id')
    .argument('[b]', 'the other job id (omit with --models to compare two models of job a)')
    .addOption(new Option('--models <x,y>', 'compare model x (of a) with model y (of b, or of a)').argParser(twoModels))
    .option('--json', 'print the comparison as JSON', false)
    .addOption(serverOption())
    .action(async (a: string, b: string | undefined, o: { models?: [string, string]; json: boolean; server?: string }) =>
      done(await handlers.jobsCompare(a, b, { models: o.models, json: o.json, server: o.server })),
    );

  program
    .command('login')
    .description('check a server URL and API key, then store them for later commands')
    .option('--server <url>', 'job server URL (default: FIELDWORK_SERVER_URL or http://127.0.0.1:8787)')
    .option('--key <key>', 'the API key (better: pipe it on stdin, or type it at the prompt)')
    .action(async (o: { server?: string; key?: string }) => done(await handlers.login({ server: o.server, key: o.key })));
  program
    .command('logout')
    .description('forget the stored server URL and key')
    .action(async () => done(await handlers.logout()));

  program
    .command('mock-provider')
    .description('a mock OpenAI/Anthropic provider on loopback that enforces rate limits: try big jobs offline')
    .addOption(new Option('--port <port>', 'port to listen on (0 picks a free one)').argParser(port).default(8799))
    .addOption(new Option('--rpm <n>', 'requests per minute').argParser(positiveInt))
    .addOption(new Option('--tpm <n>', 'tokens per minute (prompt + max_tokens at admission)').argParser(positiveInt))
    .addOption(new Option('--mode <mode>', 'enforcement').choices(['bucket', 'window-1s', 'window-10s', 'window-60s']))
    .addOption(new Option('--seed <n>', 'seed for latency, lengths and faults').argParser(positiveInt))
    .option('--strip-headers', 'send no rate-limit headers', false)
    .option('--config <file>', 'JSON config: limits, enforcement per dimension, latency, faults, other tenant, limit changes')
    .addOption(
      new Option('--preset <name>', 'a provider as it counts its limits (the config file and flags change it)').choices(PRESETS).conflicts('randomProvider'),
    )
    .addOption(new Option('--random-provider <seed>', 'a provider drawn at random from this seed: kinds, windows, headers, 429s').argParser(positiveInt))
    .action(async (o: MockProviderOptions) => done(handlers.mockProvider ? await handlers.mockProvider(o) : 2));

  program
    .command('import')
    .description("turn another tool's file into a survey file")
    .command('edsl')
    .description('EDSL Jobs or Survey JSON (jobs.to_dict()) → a survey file; says what cannot run and why')
    .argument('<file>', 'the JSON file')
    .option('-o, --output <file>', 'the survey file to write (default: FILE.survey.yaml beside it)')
    .option('--force', 'replace the output file if it exists', false)
    .action(async (file: string, o: { output?: string; force: boolean }) => done(handlers.importEdsl ? await handlers.importEdsl(file, o) : 2));
  program
    .command('export')
    .description("write a survey file in another tool's format")
    .command('edsl')
    .description('a survey file → EDSL Survey JSON (Survey.from_dict), or Jobs JSON with --jobs')
    .argument('<file>', 'the survey file')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--jobs', 'with its agents, scenarios and models, as EDSL Jobs JSON', false)
    .action(async (file: string, o: { output?: string; jobs: boolean }) => done(handlers.exportEdsl ? await handlers.exportEdsl(file, o) : 2));

  return program;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535.');
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more.');
  return n;
}

function limit(value: string): number {
  const n = positiveInt(value);
  if (n > 200) throw new InvalidArgumentError('at most 200.');
  return n;
}

function statuses(value: string): JobStatus[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = list.filter((s) => !JobStatus.safeParse(s).success);
  if (list.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(`unknown status ${unknown.map((s) => `"${s}"`).join(', ') || '""'}; use ${JobStatus.options.join(', ')}.`);
  }
  return list as JobStatus[];
}
