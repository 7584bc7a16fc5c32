// Download URLs for results, like cloud storage's signed URLs: EDSL GETs them without an Authorization header, so
// the URL itself says whose job it is and until when, signed with a key that lives as long as the server process.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export class DownloadSigner {
  private readonly key = randomBytes(32);

  constructor(
    private readonly ttlMs = 15 * 60 * 1000,
    private readonly now: () => number = Date.now,
  ) {}

  sign(owner: string, jobId: string): string {
    const payload = Buffer.from(JSON.stringify([owner, jobId, this.now() + this.ttlMs])).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The owner and job a token was signed for, or null when it was altered or has expired. */
  verify(token: string): { owner: string; jobId: string } | null {
    const [payload, mac] = token.split('.');
    if (!payload || !mac) return null;
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const [owner, jobId, expiresAt] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [string, string, number];
      if (typeof owner !== 'string' || typeof jobId !== 'string' || typeof expiresAt !== 'number' || expiresAt < this.now()) return null;
      return { owner, jobId };
    } catch {
      return null;
    }
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
