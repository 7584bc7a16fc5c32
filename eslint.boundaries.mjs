// @ts-check
// The architecture's "must never import" column (docs/architecture.md) as lint rules: for each folder of src/, the
// folders of src/ and the packages its files may not import. ESLint's no-restricted-imports matches the text of an
// import, not the file it names, so each folder gets one rule per depth below it, with the relative paths that lead
// from that depth to a forbidden folder.

const OURS = ['api', 'format', 'client', 'webview', 'extension', 'edsl', 'mock-provider', 'cli', 'server', 'random'];
/** Only the extension runs inside VS Code. */
const EDITOR = ['vscode'];
/** What a file format that "knows no transport" must not reach for. */
const TRANSPORT = ['undici', 'hono', '@hono/node-server', 'pg', 'node:http', 'node:https', 'node:net', 'node:sqlite'];

/** Every folder of ours but `self` and the leaves (src/random), which import nothing and anyone may import. */
const allBut = (/** @type {string} */ self) => OURS.filter((folder) => folder !== self && folder !== 'random');

/**
 * @typedef {{ folder: string, never: string[], packages?: string[], why: string }} Boundary
 * @type {Boundary[]} In order: a folder inside another (server/http) comes after it, and repeats its parent's list.
 */
export const BOUNDARIES = [
  { folder: 'random', never: allBut('random'), packages: EDITOR, why: 'the seeded random generator is a leaf' },
  { folder: 'api', never: allBut('api'), packages: EDITOR, why: 'the HTTP API schemas import nothing of ours' },
  {
    folder: 'format',
    never: allBut('format'),
    packages: [...EDITOR, ...TRANSPORT],
    why: 'the file format imports nothing of ours and knows no transport',
  },
  {
    folder: 'client',
    never: ['server', 'extension', 'webview', 'cli'],
    packages: EDITOR,
    why: 'the client speaks HTTP to a server; it never imports one, nor an editor',
  },
  {
    folder: 'webview',
    never: ['server', 'client', 'format', 'extension', 'cli'],
    packages: EDITOR,
    why: 'the panel runs in a browser sandbox and sees its messages (and api types) only',
  },
  {
    folder: 'extension',
    never: ['server', 'cli'],
    why: 'the extension reaches a server, local or not, only through the client',
  },
  {
    folder: 'edsl',
    never: ['server', 'client', 'extension', 'webview', 'cli'],
    packages: EDITOR,
    why: 'EDSL JSON conversion is pure',
  },
  {
    folder: 'mock-provider',
    never: allBut('mock-provider'),
    packages: EDITOR,
    why: 'the mock provider imports nothing of ours',
  },
  { folder: 'cli', never: ['extension', 'webview'], packages: EDITOR, why: 'the CLI knows no editor' },
  {
    folder: 'server',
    never: ['client', 'extension', 'webview', 'cli'],
    packages: EDITOR,
    why: 'the server knows no editor and no client',
  },
  {
    folder: 'server/http',
    never: ['client', 'extension', 'webview', 'cli', 'server/edsl'],
    packages: EDITOR,
    why: 'the /v1 routes do not know /api/v0 (src/server/app.ts mounts both)',
  },
];

/** How deep below src/ the folders go: one rule per depth up to this. */
const MAX_DEPTH = 6;

const escape = (/** @type {string} */ text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The relative import texts that lead from a file in `from` (a folder below src/) to `target` (a folder below src/),
 * as one regular expression: `../server/x`, `../../server`, `./../server` and the like.
 * @param {string} from
 * @param {string} target
 */
export function pathsTo(from, target) {
  const here = from.split('/');
  const ways = [];
  for (let up = 1; up <= here.length; up++) {
    const base = here.slice(0, here.length - up);
    const there = target.split('/');
    if (base.some((part, i) => there[i] !== part) || there.length <= base.length) continue;
    const rest = there.slice(base.length);
    ways.push(`(\\.\\./){${up}}${rest.map(escape).join('/')}`);
  }
  return `^(\\./)?(${ways.join('|')})(/|$)`;
}

/** @param {Boundary} boundary @param {number} depth */
function ruleFor(boundary, depth) {
  const dir = [boundary.folder, ...Array.from({ length: depth }, (_, i) => `d${i}`)].join('/');
  return {
    paths: (boundary.packages ?? []).map((name) => ({ name, message: `${boundary.why} (docs/architecture.md).` })),
    patterns: boundary.never.map((target) => ({
      regex: pathsTo(dir, target),
      message: `src/${boundary.folder} must never import src/${target}: ${boundary.why} (docs/architecture.md).`,
    })),
  };
}

/** @type {import('eslint').Linter.Config[]} */
export const boundaries = BOUNDARIES.flatMap((boundary) =>
  Array.from({ length: MAX_DEPTH }, (_, depth) => ({
    name: `boundaries/${boundary.folder}/${depth}`,
    files: [`src/${boundary.folder}/${'*/'.repeat(depth)}*.{ts,tsx,mts,cts,js,mjs,cjs}`],
    rules: { 'no-restricted-imports': ['error', ruleFor(boundary, depth)] },
  })),
);
