// A job's submission never changes once stored, and it can be large (inline datasets): parse it once, not on
// every getJob. Bounded by entries and by text size; cached objects are frozen, since every reader shares them.
import type { StoredJob } from './store';

type Submission = StoredJob['submission'];

export class SubmissionCache {
  /** Map order is recency: the first entry is the least recently used. */
  private readonly entries = new Map<string, { submission: Submission; chars: number }>();
  private chars = 0;

  constructor(
    private readonly maxEntries = 64,
    private readonly maxChars = 128 * 1024 * 1024,
  ) {}

  /** Whether the job's submission is cached (a store that loads it asynchronously asks first). */
  has(jobId: string): boolean {
    return this.entries.has(jobId);
  }

  /** The job's submission, parsed from `load()`'s JSON text only when not cached. */
  get(jobId: string, load: () => string): Submission {
    const cached = this.entries.get(jobId);
    if (cached) {
      this.entries.delete(jobId);
      this.entries.set(jobId, cached);
      return cached.submission;
    }
    const text = load();
    const submission = deepFreeze(JSON.parse(text) as Submission);
    if (text.length <= this.maxChars) {
      this.entries.set(jobId, { submission, chars: text.length });
      this.chars += text.length;
      for (const [id, entry] of this.entries) {
        if (this.entries.size <= this.maxEntries && this.chars <= this.maxChars) break;
        this.entries.delete(id);
        this.chars -= entry.chars;
      }
    }
    return submission;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
