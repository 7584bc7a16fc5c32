// The CLI's view of its process: streams, environment, Ctrl-C. Tests hand commands a fake one.
export interface Cli {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  /** Writes a line to stdout. */
  out(text: string): void;
  /** Writes a line to stderr. */
  err(text: string): void;
  /** Calls `handler` on each Ctrl-C (and SIGTERM) until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}

export function processCli(): Cli {
  return {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    out: (text) => void process.stdout.write(`${text}\n`),
    err: (text) => void process.stderr.write(`${text}\n`),
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
}

/** Shows live output (bars, prompts) only to a person at a terminal. */
export function isInteractive(stream: { isTTY?: boolean }): boolean {
  return stream.isTTY === true;
}
