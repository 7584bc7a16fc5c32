// One of several `serve` processes on one PostgreSQL database. It claims jobs under leases (job-leases.ts) as its job
// service has room, renews them on a heartbeat and lets go of those whose runs ended; it runs a job only while it
// owns the lanes of every model the job calls (lane-locks.ts), so each provider's limit is kept by one scheduler; and
// it hears every stored event (event-feed.ts), for its live followers, for jobs queued anywhere and for cancels of
// jobs it runs. A replica that stops renewing loses its jobs: another claims them and resumes from what is stored,
// and the lease fence (store/postgres/lease-fence.ts) refuses the old replica's writes.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ReplicaWork } from '../jobs/replica-work';
import type { JobService } from '../jobs/job-service';
import type { PostgresStore } from '../store/postgres/store';
import type { LeaseFence } from '../store/postgres/lease-fence';
import { HANDED_OVER, JobLeases } from './job-leases';
import { LaneLocks } from './lane-locks';
import { EventFeed, type EventNotice } from './event-feed';

export interface ReplicaTiming {
  /** A lease not renewed for this long expires (default 15 s). */
  leaseMs?: number;
  /** How often leases are renewed (default 3 s). */
  heartbeatMs?: number;
  /** How often unclaimed jobs are looked for, besides when one is queued (default 1 s). */
  claimEveryMs?: number;
}

/** The built-in model's service: no provider, no limit, so its jobs run on any replica. */
const UNLIMITED_SERVICE = 'test';
export const limitedLanes = (lanes: readonly string[]): string[] => lanes.filter((lane) => !lane.startsWith(`${UNLIMITED_SERVICE}/`));

export class Replica implements ReplicaWork {
  readonly id = `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
  /** Jobs this replica holds the lease of: `taking` until the job service has them. */
  private readonly held = new Map<string, 'taking' | 'taken'>();
  /** The limited lanes of the jobs admitted here. */
  private readonly lanesOf = new Map<string, string[]>();
  readonly fence: LeaseFence = { replica: this.id, holds: (jobId) => this.held.has(jobId) };
  private readonly lanes: LaneLocks;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly claimEveryMs: number;
  private attached: { store: PostgresStore; leases: JobLeases; jobs: JobService; feed: EventFeed; timers: NodeJS.Timeout[] } | null = null;
  private claiming: Promise<void> | null = null;
  private claimAgain = false;
  private stopped = false;
  /** False for a replica started only to read: it follows events but runs nothing. */
  private claims = true;

  constructor(
    private readonly url: string,
    private readonly log: (line: string) => void,
    timing: ReplicaTiming = {},
  ) {
    this.leaseMs = timing.leaseMs ?? 15_000;
    this.heartbeatMs = timing.heartbeatMs ?? 3000;
    this.claimEveryMs = timing.claimEveryMs ?? 1000;
    this.lanes = new LaneLocks(url, (lanes, error) => this.lanesLost(lanes, error));
  }

  /** Starts listening and renewing, and claiming unless `claim` is false, with the store and job service of this process. */
  async attach(store: PostgresStore, jobs: JobService, claim = true): Promise<void> {
    this.claims = claim;
    const leases = new JobLeases(store.pool, this.id, this.leaseMs);
    const feed = new EventFeed(
      this.url,
      store,
      { isFollowed: (id) => jobs.isFollowed(id), deliver: (event) => jobs.deliver(event), noticed: (notice) => this.noticed(notice) },
      this.log,
    );
    await feed.start();
    const timers = [setInterval(() => this.heartbeat(), this.heartbeatMs), setInterval(() => this.claimSoon(), this.claimEveryMs)];
    for (const timer of timers) timer.unref();
    this.attached = { store, leases, jobs, feed, timers };
    this.claimSoon();
  }

  // ---- ReplicaWork

  offer(_jobId: string): void {
    this.claimSoon();
  }

  async admit(jobId: string, lanes: readonly string[]): Promise<boolean> {
    const attached = this.attached;
    if (!attached) return false;
    const limited = limitedLanes(lanes);
    await attached.leases.setLanes(jobId, lanes);
    if (await this.lanes.take(limited)) {
      this.lanesOf.set(jobId, limited);
      return true;
    }
    // Another replica owns a lane of this job: it runs it, and keeps that provider's limit alone.
    this.held.delete(jobId);
    await attached.leases.handOver(jobId);
    return false;
  }

  async runsElsewhere(jobId: string): Promise<boolean> {
    return this.attached ? this.attached.leases.heldElsewhere(jobId) : false;
  }

  async stillHolds(jobId: string): Promise<boolean> {
    return this.held.has(jobId) && this.attached !== null && (await this.attached.leases.holds(jobId));
  }

  async runningCount(): Promise<number> {
    return this.attached ? this.attached.leases.liveCount() : 0;
  }

  // ---- ownership of the process (server.ts)

  setUrl(_url: string): void {
    // The leases name the replica by its id; nothing more to record.
  }

  /** After the job service stopped its runs: lets every job go at once (no waiting for leases to expire). */
  async release(): Promise<void> {
    this.stopped = true;
    const attached = this.attached;
    if (attached) {
      for (const timer of attached.timers) clearInterval(timer);
      await this.claiming?.catch(() => {});
      await attached.feed.close();
      await attached.leases
        .releaseAll()
        .catch((error: unknown) => this.log(`could not release this replica's leases (they expire by themselves): ${String(error)}`));
    }
    await this.lanes.close();
  }

  // ---- claims

  private claimSoon(): void {
    if (this.stopped || !this.attached || !this.claims) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = this.claim()
      .catch((error: unknown) => this.log(`could not claim jobs: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.claiming = null;
        if (this.claimAgain) {
          this.claimAgain = false;
          this.claimSoon();
        }
      });
  }

  private async claim(): Promise<void> {
    const { leases, jobs, store } = this.attached!;
    const free = jobs.freeSlots();
    if (free === 0) return;
    // A lease of its own that expired while the database was away is renewed by the heartbeat, not claimed again.
    const claimed = await leases.claim(free, async ({ jobId, lanes }) => {
      if (this.held.has(jobId) || jobs.isActive(jobId)) return false;
      return lanes === null || this.lanes.take(limitedLanes(lanes));
    });
    for (const jobId of claimed) this.held.set(jobId, 'taking');
    for (const jobId of claimed) {
      try {
        const stored = await store.getJob(jobId);
        if (stored) await jobs.take(stored, { resumed: 'Its replica stopped', cancelled: 'its replica stopped' });
      } catch (error) {
        this.log(`could not take job ${jobId}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        if (this.held.get(jobId) === 'taking') this.held.set(jobId, 'taken');
      }
    }
  }

  // ---- heartbeat

  private heartbeat(): void {
    const attached = this.attached;
    if (!attached || this.stopped) return;
    void this.renew(attached).catch((error: unknown) =>
      this.log(`could not renew this replica's leases: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  private async renew({ leases, jobs }: NonNullable<Replica['attached']>): Promise<void> {
    for (const [jobId, state] of [...this.held]) {
      if (state === 'taken' && !jobs.isActive(jobId)) {
        this.held.delete(jobId);
        this.lanesOf.delete(jobId);
        await leases.release(jobId);
      }
    }
    const renewed = await leases.renew([...this.held.keys()]);
    const still = new Map(renewed.map((lease) => [lease.jobId, lease.status]));
    for (const jobId of [...this.held.keys()]) {
      const status = still.get(jobId);
      if (status === undefined) {
        // Another replica claimed it (this one did not renew in time): stop, and write nothing more of it.
        this.log(`lost the lease of job ${jobId} to another replica: stopping its run here`);
        this.held.delete(jobId);
        this.lanesOf.delete(jobId);
        jobs.halt(jobId, 'stop');
      } else if (status === 'cancelling') {
        jobs.halt(jobId, 'cancel');
      }
    }
    await this.lanes.keepOnly(new Set([...this.lanesOf.values()].flat()));
  }

  private noticed(notice: EventNotice): void {
    if (notice.type === 'queued' || notice.type === HANDED_OVER || notice.type === 'reconnected') this.claimSoon();
    else if (notice.type === 'cancelling' && this.held.has(notice.job)) this.attached?.jobs.halt(notice.job, 'cancel');
  }

  private lanesLost(lanes: string[], error: Error): void {
    this.log(`the connection owning lanes ${lanes.join(', ')} broke (${error.message}): stopping their runs here, to resume wherever the lanes are owned`);
    for (const [jobId, own] of this.lanesOf) {
      if (own.some((lane) => lanes.includes(lane))) this.attached?.jobs.halt(jobId, 'stop');
    }
  }
}
