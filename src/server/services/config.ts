// The server's services file (YAML): which providers it offers, where, at what price and limits.
// Keys are never in this file — `api_key_env` names the environment variable that holds one.
// Problems are reported with the line and column they are at, like survey files.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isCollection, isPair, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { z } from 'zod';
import { SourcePositions } from '../../format/positions';
import type { SpecIssue } from '../../format';
import { formatIssue } from '../../format';

export const ProviderKindSchema = z.enum(['openai', 'anthropic', 'aleph-alpha', 'test']);

const PriceOverride = z.strictObject({ input_per_mtok: z.number().nonnegative(), output_per_mtok: z.number().nonnegative() });

const LimitOverride = z.strictObject({
  requests_per_minute: z.number().positive().optional(),
  tokens_per_minute: z.number().positive().optional(),
  input_tokens_per_minute: z.number().positive().optional(),
  output_tokens_per_minute: z.number().positive().optional(),
  max_concurrency: z.int().positive().optional(),
});
export type LimitOverride = z.infer<typeof LimitOverride>;

export const CAPABILITIES = ['images', 'log-probs', 'embeddings'] as const;

const SECRET_HEADER = /^(authorization|x-api-key|api-key)$/i;

export const ServiceEntry = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, { error: 'a service name is letters, digits, ".", "_" or "-" (it is the part before "/" in model names)' }),
  provider: ProviderKindSchema,
  base_url: z.url({ protocol: /^https?$/, error: 'base_url must be an http(s) URL, e.g. http://127.0.0.1:11434/v1' }).optional(),
  api_key_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'api_key_env names an environment variable, e.g. OPENAI_API_KEY' })
    .optional(),
  /** Azure's OpenAI endpoint takes the key in `api-key`; everyone else as a bearer token. */
  auth: z.enum(['bearer', 'api-key']).optional(),
  models: z.array(z.string().min(1)).min(1).optional(),
  prices: z.record(z.string(), PriceOverride).optional(),
  /** Price date and source shown with configured prices. */
  prices_as_of: z.string().optional(),
  limits: z.record(z.string(), LimitOverride).optional(),
  capabilities: z.record(z.string(), z.array(z.enum(CAPABILITIES))).optional(),
  headers: z
    .record(z.string(), z.string())
    .refine((headers) => !Object.keys(headers).some((name) => SECRET_HEADER.test(name)), {
      error: 'keys are not written in this file: name the environment variable that holds the key with api_key_env',
    })
    .optional(),
  readiness: z
    .union([z.literal(false), z.strictObject({ path: z.string().default('/models'), timeout_s: z.number().positive().max(3600).default(120) })])
    .optional(),
  timeout_s: z.number().positive().max(3600).optional(),
  /** OpenAI and Anthropic replies are streamed unless this is false (for a server that cannot stream). */
  stream: z.boolean().optional(),
});
export type ServiceEntry = z.infer<typeof ServiceEntry>;

/** Users who share one call cache (each user is otherwise alone with theirs): see src/server/cache-scope.ts. */
export const TeamEntry = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, { error: 'a team name is letters, digits, ".", "_" or "-"' }),
  users: z.array(z.string().trim().min(1, { error: 'a user name is not empty' })).min(1, { error: 'a team lists at least one user' }),
});
export type TeamEntry = z.infer<typeof TeamEntry>;

export const ServicesFile = z.strictObject({
  services: z.array(ServiceEntry).default([]),
  teams: z.array(TeamEntry).optional(),
});
export type ServicesFile = z.infer<typeof ServicesFile>;

/** Field names that would put a key in the file. */
const KEY_FIELDS = new Set(['api_key', 'apikey', 'key', 'token', 'secret', 'password']);

export type ConfigResult = { ok: true; config: ServicesFile } | { ok: false; issues: SpecIssue[] };

export function parseServicesConfig(name: string, text: string): ConfigResult {
  const lineCounter = new LineCounter();
  // logLevel 'error': the yaml library would print its warnings on stderr; the one that matters is reported below.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const positions = new SourcePositions(name, text, lineCounter, doc);
  if (doc.errors.length > 0) {
    return { ok: false, issues: doc.errors.map((error) => positions.issueAtOffset(error.pos[0], `YAML syntax: ${error.message.split('\n')[0]}`)) };
  }
  const collectionKey = firstCollectionKey(doc);
  if (collectionKey !== null) {
    return {
      ok: false,
      issues: [positions.issueAtOffset(collectionKey, 'this key is a list or a map; keys are plain names (a "- " or "{" may be misplaced, or a ":" missing)')],
    };
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const issues: SpecIssue[] = [];
  if (data && typeof data === 'object' && Array.isArray((data as { services?: unknown }).services)) {
    (data as { services: unknown[] }).services.forEach((service, index) => {
      if (!service || typeof service !== 'object') return;
      for (const key of Object.keys(service)) {
        if (KEY_FIELDS.has(key.toLowerCase())) {
          issues.push(
            positions.issue(
              ['services', index, key],
              `services[${index}].${key}: keys are never written in this file; put the key in an environment variable and name it with api_key_env`,
              { atKey: true },
            ),
          );
        }
      }
    });
  }
  if (issues.length > 0) return { ok: false, issues };
  const parsed = ServicesFile.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => {
        const path = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
        const keys = issue.code === 'unrecognized_keys' ? `: ${issue.keys.join(', ')}` : '';
        return positions.issue(issue.code === 'unrecognized_keys' ? [...path, issue.keys[0]!] : path, `${path.join('.') || 'file'}: ${issue.message}${keys}`, {
          atKey: issue.code === 'unrecognized_keys',
        });
      }),
    };
  }
  const names = new Set<string>();
  parsed.data.services.forEach((service, index) => {
    if (names.has(service.name))
      issues.push(positions.issue(['services', index, 'name'], `service "${service.name}" is configured twice; names must be unique`));
    names.add(service.name);
  });
  issues.push(...teamIssues(parsed.data.teams ?? [], positions));
  return issues.length > 0 ? { ok: false, issues } : { ok: true, config: parsed.data };
}

/** A team's name is unique, and a user is in one team at most: a user's calls go to exactly one cache. */
function teamIssues(teams: readonly TeamEntry[], positions: SourcePositions): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const teamNames = new Set<string>();
  const teamOf = new Map<string, string>();
  teams.forEach((team, index) => {
    if (teamNames.has(team.name)) issues.push(positions.issue(['teams', index, 'name'], `team "${team.name}" is configured twice; names must be unique`));
    teamNames.add(team.name);
    team.users.forEach((user, userIndex) => {
      const other = teamOf.get(user);
      if (other !== undefined) {
        issues.push(
          positions.issue(
            ['teams', index, 'users', userIndex],
            `user "${user}" is in team "${other}" and in team "${team.name}"; a user shares one cache, so put them in one team`,
          ),
        );
      }
      teamOf.set(user, team.name);
    });
  });
  return issues;
}

/**
 * Where the first key that is itself a list or a map starts (`[a, b]: x`, `? {a: 1}`), or null. Such keys can only
 * come from a typo in this file, and would turn into their text when read: refused with their place instead.
 */
function firstCollectionKey(doc: Document): number | null {
  let found: number | null = null;
  visit(doc, {
    Pair(_key, pair) {
      if (isPair(pair) && isCollection(pair.key)) {
        found = pair.key.range?.[0] ?? 0;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** Thrown when the config file cannot be used; the message lists every problem with its place. */
export class ServicesConfigError extends Error {
  constructor(
    readonly issues: SpecIssue[],
    message = issues.map((issue) => formatIssue(issue)).join('\n'),
  ) {
    super(message);
    this.name = 'ServicesConfigError';
  }
}

export function loadServicesConfig(path: string): ServicesFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ServicesConfigError([], `cannot read the services config ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const result = parseServicesConfig(basename(path), text);
  if (!result.ok) throw new ServicesConfigError(result.issues);
  return result.config;
}
