// `fieldwork login` / `fieldwork logout`: keep a server URL and its key so other commands need no environment.
import { AuthError, DEFAULT_SERVER_URL, FieldworkClient, removeLogin, saveLogin, type LoginStoreOptions } from '../../client';
import { EXIT, UsageError } from '../failure';
import { isInteractive, type Cli } from '../io';

export interface LoginOptions {
  server?: string | undefined;
  key?: string | undefined;
}

export async function loginCommand(cli: Cli, opts: LoginOptions, store: LoginStoreOptions = {}): Promise<number> {
  const url = opts.server ?? cli.env.FIELDWORK_SERVER_URL ?? DEFAULT_SERVER_URL;
  const key = (opts.key ?? (await readKey(cli))).trim();
  if (key === '') throw new UsageError('no API key given — pass --key, pipe it on stdin, or type it at the prompt');

  const client = new FieldworkClient({ baseUrl: url, apiKey: key, retries: 1 });
  let user: string;
  try {
    user = (await client.health()).user;
  } catch (error) {
    if (error instanceof AuthError) {
      throw new AuthError(`the server at ${client.baseUrl} rejected this key — check it, or ask the server's admin for one (\`fieldwork keys create\`)`);
    }
    throw error;
  } finally {
    await client.close();
  }
  const saved = await saveLogin(url, key, { env: cli.env, ...store });
  const where =
    saved.storage === 'keychain' ? 'in the OS keychain (service "fieldwork")' : `in ${saved.path} (readable only by you; no OS keychain was available)`;
  cli.out(`Logged in to ${client.baseUrl} as ${user}. The key is stored ${where}.`);
  return EXIT.ok;
}

export async function logoutCommand(cli: Cli, store: LoginStoreOptions = {}): Promise<number> {
  const removed = await removeLogin({ env: cli.env, ...store });
  cli.out(removed ? `Logged out of ${removed.url}: the stored key is removed.` : 'There was no stored login.');
  return EXIT.ok;
}

/** The key from a pipe, or typed at a prompt without echo. */
async function readKey(cli: Cli): Promise<string> {
  if (!isInteractive(cli.stdin) || !cli.stdin.setRawMode) {
    let text = '';
    for await (const chunk of cli.stdin) text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    return text;
  }
  return promptHidden(cli, 'API key: ');
}

function promptHidden(cli: Cli, prompt: string): Promise<string> {
  const stdin = cli.stdin as NodeJS.ReadStream;
  cli.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      cli.stderr.write('\n');
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          done();
          return resolve(typed);
        }
        if (ch === '\u0003') {
          done();
          return reject(new UsageError('login cancelled'));
        }
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}
