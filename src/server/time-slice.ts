// Long loops on the event loop (an estimate renders thousands of prompts) give way to other requests every few
// milliseconds, so /v1/health and other users' calls are answered while they run.

export class TimeSlice {
  private since = performance.now();

  constructor(private readonly ms = 10) {}

  /** Resolves at once within the slice; after it, on the next turn of the event loop. */
  async yield(): Promise<void> {
    if (performance.now() - this.since < this.ms) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.since = performance.now();
  }
}
