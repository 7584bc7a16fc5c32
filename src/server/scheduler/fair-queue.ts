// Weighted fair queueing by token cost: across users by their weights, then across the jobs of a user equally.
// Each user (and each job within a user) keeps a virtual time = cost served ÷ weight; the backlogged one with the
// smallest virtual time goes next. A user that was idle starts at the smallest virtual time of the busy ones, so
// idling banks no credit; but only calls that came back count as served there, so a user arriving while another's
// first calls are out is not put behind them (throughput, not admissions, is what is shared). A user stays busy
// while its calls are in flight: one whose calls were all admitted but have not come back is still owed its share
// of throughput, and users ahead of it can be told so (`aheadOfBusy`).

export interface FairEntry {
  user: string;
  jobId: string;
  cost: number;
  weight: number;
}

interface Flow<T> {
  vtime: number;
  order: number;
  entries: T[];
}

interface UserFlow<T> {
  vtime: number;
  order: number;
  weight: number;
  jobs: Map<string, Flow<T>>;
  /** Calls admitted and not yet back, and their cost ÷ weight. */
  inflight: number;
  out: number;
}

export class FairQueue<T extends FairEntry> {
  private readonly users = new Map<string, UserFlow<T>>();
  private arrivals = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(entry: T, atHead = false): void {
    const user = this.userFlow(entry);
    let job = user.jobs.get(entry.jobId);
    if (!job) {
      job = { vtime: minVtime(user.jobs.values()), order: this.arrivals++, entries: [] };
      user.jobs.set(entry.jobId, job);
    }
    if (atHead) job.entries.unshift(entry);
    else job.entries.push(entry);
    this.count++;
  }

  peek(): T | undefined {
    const user = smallest(this.backlogged());
    if (!user) return undefined;
    return smallest(user.jobs.values())?.entries[0];
  }

  /** Removes the entry `peek` returned and charges its cost to its user and job. */
  shift(): T | undefined {
    const user = smallest(this.backlogged());
    if (!user) return undefined;
    const job = smallest(user.jobs.values())!;
    return this.serve(user, job, 0);
  }

  /** The first `depth` entries of the job whose turn it is (the order of a job's calls is free). */
  nextJob(depth: number): readonly T[] {
    const user = smallest(this.backlogged());
    if (!user) return [];
    return smallest(user.jobs.values())!.entries.slice(0, depth);
  }

  /** Removes an entry of the job whose turn it is (one `nextJob` returned), charged as `shift` does. */
  shiftEntry(entry: T): T | undefined {
    const user = smallest(this.backlogged());
    const job = user && smallest(user.jobs.values());
    const at = job?.entries.indexOf(entry) ?? -1;
    return at < 0 ? undefined : this.serve(user!, job!, at);
  }

  private serve(user: UserFlow<T>, job: Flow<T>, at: number): T {
    const entry = job.entries.splice(at, 1)[0]!;
    this.count--;
    this.charge(user, entry);
    job.vtime += entry.cost;
    this.prune(entry);
    return entry;
  }

  /** A call admitted without waiting in the queue (nobody else was): charged to its user all the same. */
  admitted(entry: FairEntry): void {
    this.charge(this.userFlow(entry), entry);
  }

  private charge(user: UserFlow<T>, entry: FairEntry): void {
    user.vtime += entry.cost / Math.max(entry.weight, 1e-9);
    user.out += entry.cost / Math.max(entry.weight, 1e-9);
    user.inflight++;
  }

  /** One of `user`'s admitted calls, of `cost`, is back (done, failed, or turned away). */
  returned(userName: string, cost: number): void {
    const user = this.users.get(userName);
    if (!user) return;
    user.inflight = Math.max(0, user.inflight - 1);
    user.out = user.inflight === 0 ? 0 : Math.max(0, user.out - cost / Math.max(user.weight, 1e-9));
    if (user.jobs.size === 0 && user.inflight === 0) this.users.delete(userName);
  }

  /**
   * Whether `userName` has been served more, for its weight, than another user who has nothing left to queue but
   * still has calls in flight: going on would take that user's share of the throughput while it waits for them.
   */
  aheadOfBusy(userName: string): boolean {
    const vtime = this.users.get(userName)?.vtime ?? servedVtime(this.users.values());
    for (const [name, user] of this.users) if (name !== userName && user.jobs.size === 0 && user.inflight > 0 && user.vtime < vtime) return true;
    return false;
  }

  remove(entry: T): void {
    const job = this.users.get(entry.user)?.jobs.get(entry.jobId);
    const at = job?.entries.indexOf(entry) ?? -1;
    if (!job || at < 0) return;
    job.entries.splice(at, 1);
    this.count--;
    this.prune(entry);
  }

  private prune(entry: T): void {
    const user = this.users.get(entry.user)!;
    const job = user.jobs.get(entry.jobId)!;
    if (job.entries.length === 0) user.jobs.delete(entry.jobId);
    if (user.jobs.size === 0 && user.inflight === 0) this.users.delete(entry.user);
  }

  private userFlow(entry: FairEntry): UserFlow<T> {
    let user = this.users.get(entry.user);
    if (!user) {
      user = { vtime: servedVtime(this.users.values()), order: this.arrivals++, weight: entry.weight, jobs: new Map(), inflight: 0, out: 0 };
      this.users.set(entry.user, user);
    }
    user.weight = entry.weight;
    return user;
  }

  private *backlogged(): Iterable<UserFlow<T>> {
    for (const user of this.users.values()) if (user.jobs.size > 0) yield user;
  }
}

function minVtime(flows: Iterable<{ vtime: number }>): number {
  let min = Infinity;
  for (const flow of flows) min = Math.min(min, flow.vtime);
  return min === Infinity ? 0 : min;
}

/** Where a user arriving now starts: the smallest virtual time of the others' calls that came back. */
function servedVtime(users: Iterable<UserFlow<unknown>>): number {
  let min = Infinity;
  for (const user of users) min = Math.min(min, user.vtime - user.out);
  return min === Infinity ? 0 : min;
}

function smallest<F extends { vtime: number; order: number }>(flows: Iterable<F>): F | undefined {
  let best: F | undefined;
  for (const flow of flows) if (!best || flow.vtime < best.vtime || (flow.vtime === best.vtime && flow.order < best.order)) best = flow;
  return best;
}
