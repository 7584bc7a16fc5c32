// The server's HTTP app: the /v1 API, with EDSL's /api/v0 mounted beside it (its own keys check and error shape).
// Composed here so that server/http and server/edsl do not import each other.
import type { Hono } from 'hono';
import { createEdslApp } from './edsl/routes';
import { createV1App, type AppDeps } from './http/app';
import type { AppEnv } from './http/types';

export type { AppDeps } from './http/app';

export function createApp(deps: AppDeps): Hono<AppEnv> {
  return createV1App(deps, { '/api/v0': createEdslApp(deps) });
}
