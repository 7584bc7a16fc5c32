// Fieldwork's bearer keys on /api/v0, answered as EDSL reads errors. EDSL sends "Bearer None" when it has no key.
import type { MiddlewareHandler } from 'hono';
import type { Store } from '../store/store';
import type { AppEnv } from '../http/types';
import { detailResponse } from './detail';

const BEARER = /^Bearer +([^\s]+) *$/i;

export function edslAuth(store: Store): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const key = header === undefined ? undefined : BEARER.exec(header)?.[1];
    const user = key === undefined || key === 'None' ? null : await store.userForKey(key);
    if (user === null) {
      const detail =
        key === undefined || key === 'None'
          ? 'No API key was sent. Set EXPECTED_PARROT_API_KEY to your Fieldwork key (it starts with "fw_"); `fieldwork keys create` makes one.'
          : 'This Fieldwork server did not accept the key in EXPECTED_PARROT_API_KEY. Use a current Fieldwork key for this server (keys start with "fw_").';
      return detailResponse(401, detail);
    }
    c.set('user', user);
    await next();
  };
}
