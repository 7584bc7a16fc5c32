// A Cli whose output is captured, for calling command functions directly.
import { PassThrough } from 'node:stream';
import type { Cli } from '../../../src/cli/io';

export interface FakeCli extends Cli {
  stdoutText(): string;
  stderrText(): string;
  /** Sends Ctrl-C to the registered handlers. */
  interrupt(): void;
}

export function fakeCli(env: NodeJS.ProcessEnv = {}, stdinText?: string): FakeCli {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  if (stdinText !== undefined) stdin.end(stdinText);
  const handlers = new Set<() => void>();
  return {
    env,
    stdout,
    stderr,
    stdin,
    out: (text) => void stdout.write(`${text}\n`),
    err: (text) => void stderr.write(`${text}\n`),
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    stdoutText: () => out,
    stderrText: () => err,
    interrupt: () => {
      for (const handler of [...handlers]) handler();
    },
  };
}
