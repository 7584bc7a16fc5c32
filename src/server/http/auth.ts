// Bearer API keys on every route. The key is only ever hashed by the store: never logged, never echoed.
import type { MiddlewareHandler } from 'hono';
import { PROBLEM_TYPES } from '../../api';
import type { Store } from '../store/store';
import { problemResponse } from './problem';
import type { AppEnv } from './types';

const BEARER = /^Bearer +([^\s]+) *$/i;

export function bearerAuth(store: Store): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const key = header === undefined ? undefined : BEARER.exec(header)?.[1];
    const user = key === undefined ? null : await store.userForKey(key);
    if (user === null) {
      const detail =
        header === undefined
          ? 'Send your API key in the Authorization header: "Authorization: Bearer <key>".'
          : 'The API key was not accepted. Check that it is a current key for this server (keys start with "fw_").';
      return problemResponse(
        { type: PROBLEM_TYPES.unauthorized, title: 'Unauthorized', status: 401, detail, instance: c.req.path },
        { 'www-authenticate': header === undefined ? 'Bearer realm="fieldwork"' : 'Bearer realm="fieldwork", error="invalid_token"' },
      );
    }
    c.set('user', user);
    await next();
  };
}
