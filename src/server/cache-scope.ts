// Whose call cache a user reads and fills. By default each user has their own: a cache shared by everyone would
// tell one user which prompts another has run (an estimate's cached count) and hand them the other's answers. The
// users of a team named in the server config share one cache, so a teammate's rerun costs nothing.
import type { TeamEntry } from './services/config';
import type { CacheScope } from './store/store';

export type CacheScopeOf = (user: string) => CacheScope;

/** The prefixes keep a user and a team of the same name apart. */
export const userScope = (user: string): CacheScope => `user:${user}`;
export const teamScope = (team: string): CacheScope => `team:${team}`;

/** The scope of each user: their team's when the config puts them in one (at most one), else their own. */
export function cacheScopes(teams: readonly TeamEntry[] = []): CacheScopeOf {
  const teamOf = new Map<string, string>();
  for (const team of teams) for (const user of team.users) teamOf.set(user, team.name);
  return (user) => {
    const team = teamOf.get(user);
    return team === undefined ? userScope(user) : teamScope(team);
  };
}
