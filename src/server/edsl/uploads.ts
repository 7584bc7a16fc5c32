// Jobs EDSL has announced (new-remote-inference) but not yet started (…/uploaded). Each gets a one-time upload
// token: EDSL PUTs the Jobs JSON to a URL carrying it, without an Authorization header, as it would to cloud storage.
// Kept in memory: an announcement lost to a restart is simply announced again by the client's next run.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { JobSubmission } from '../../api';

/** What `new-remote-inference` asked for, kept until the upload and the start. */
export interface Announcement {
  description: string | null;
  iterations: number;
  fresh: boolean;
  visibility: string;
}

interface Pending {
  owner: string;
  announcement: Announcement;
  tokenHash: Buffer;
  expiresAt: number;
  /** Set once the upload came and converted: what /uploaded submits. */
  submission: JobSubmission | null;
}

const hash = (token: string): Buffer => createHash('sha256').update(token).digest();

export class PendingUploads {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly ttlMs = 60 * 60 * 1000,
    private readonly maxPending = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  announce(owner: string, announcement: Announcement): { jobUuid: string; token: string } {
    this.sweep();
    if (this.pending.size >= this.maxPending) throw new Error('too many announced uploads');
    const jobUuid = randomUUID();
    const token = randomBytes(24).toString('base64url');
    this.pending.set(jobUuid, { owner, announcement, tokenHash: hash(token), expiresAt: this.now() + this.ttlMs, submission: null });
    return { jobUuid, token };
  }

  /**
   * The announcement an upload belongs to, if `token` is its token and it has not been used: the token is spent by
   * this call whatever follows. Null for an unknown job, a wrong, reused or expired token.
   */
  redeem(jobUuid: string, token: string): { owner: string; announcement: Announcement } | null {
    const entry = this.pending.get(jobUuid);
    if (!entry || entry.expiresAt < this.now() || entry.submission !== null) return null;
    const given = hash(token);
    if (!timingSafeEqual(given, entry.tokenHash)) return null;
    entry.tokenHash = randomBytes(32); // spent: no token hashes to this
    return { owner: entry.owner, announcement: entry.announcement };
  }

  /** Keeps the converted upload for the start. */
  uploaded(jobUuid: string, submission: JobSubmission): void {
    const entry = this.pending.get(jobUuid);
    if (entry) entry.submission = submission;
  }

  /** The owner's announced job, once uploaded; null when unknown, another user's or not uploaded yet. */
  ready(owner: string, jobUuid: string): { announcement: Announcement; submission: JobSubmission | null } | null {
    const entry = this.pending.get(jobUuid);
    if (!entry || entry.owner !== owner || entry.expiresAt < this.now()) return null;
    return { announcement: entry.announcement, submission: entry.submission };
  }

  forget(jobUuid: string): void {
    this.pending.delete(jobUuid);
  }

  private sweep(): void {
    const now = this.now();
    for (const [uuid, entry] of this.pending) if (entry.expiresAt < now) this.pending.delete(uuid);
  }
}
