export * from './client';
export * from './errors';
export * from './connection';
export * from './login-store';
export * from './submission';
export { parseRetryAfter } from './retry';
export { compareRuns } from './compare';
