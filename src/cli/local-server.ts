// The server's modules, loaded only when a command needs a local server: they pull in node:sqlite, which must not
// load before the Node version check (runtime.ts). `require` keeps them lazy in the CommonJS bundle too.
/* eslint-disable @typescript-eslint/no-require-imports */

export function loadServer(): typeof import('../server/server') {
  return require('../server/server') as typeof import('../server/server');
}

export function loadDatabaseCopy(): typeof import('../server/store/postgres/copy') {
  return require('../server/store/postgres/copy') as typeof import('../server/store/postgres/copy');
}

export function loadSqliteStore(): typeof import('../server/store/sqlite') {
  return require('../server/store/sqlite') as typeof import('../server/store/sqlite');
}
