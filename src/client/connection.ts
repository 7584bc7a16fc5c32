// Which server to talk to, and with which key: the environment, else the stored login, else an embedded server.
import { AuthError } from './errors';
import { readLogin, type LoginStoreOptions } from './login-store';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8787';

export type Connection = { kind: 'remote'; baseUrl: string; apiKey: string; source: 'env' | 'login' } | { kind: 'embedded' };

export interface ResolveOptions extends LoginStoreOptions {
  /** A URL given on the command line; wins over FIELDWORK_SERVER_URL. */
  server?: string | undefined;
}

export async function resolveConnection(opts: ResolveOptions = {}): Promise<Connection> {
  const env = opts.env ?? process.env;
  const url = nonEmpty(opts.server) ?? nonEmpty(env.FIELDWORK_SERVER_URL);
  const key = nonEmpty(env.FIELDWORK_API_KEY);
  if (url && key) return { kind: 'remote', baseUrl: url, apiKey: key, source: 'env' };

  const login = await readLogin(opts);
  if (key) return { kind: 'remote', baseUrl: login?.url ?? DEFAULT_SERVER_URL, apiKey: key, source: 'env' };
  if (url) {
    if (login && sameServer(login.url, url)) return { kind: 'remote', baseUrl: url, apiKey: login.apiKey, source: 'login' };
    throw new AuthError(`no API key for ${url} — set FIELDWORK_API_KEY or run \`fieldwork login --server ${url}\``);
  }
  if (login) return { kind: 'remote', baseUrl: login.url, apiKey: login.apiKey, source: 'login' };
  return { kind: 'embedded' };
}

export function sameServer(a: string, b: string): boolean {
  const normal = (u: string): string => {
    try {
      return new URL(u).toString().replace(/\/+$/, '');
    } catch {
      return u.replace(/\/+$/, '');
    }
  };
  return normal(a) === normal(b);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}
