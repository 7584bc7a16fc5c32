// How far the provider's count of our prompts runs from our estimates (chars/4 and the like): the ratio of what it
// counted to what we estimated, over the latest calls. A prompt estimate is scaled to cover most of them, and a fixed
// window's last calls (which nothing read after can correct) to cover all of them.
import type { TicketCosts } from './dimensions';

/**
 * What a windowed lane scales its prompt estimates by before five calls are back to show how far off they run: the
 * calls that share a window go out together, before any reading can correct them (1 s windows, seeds 1-6, with the
 * two changes that came with it: 429s per 100 calls 0.29 -> 0.04; a continuous bucket's readings correct its first
 * burst, and a margin there cost 0.3% of makespan).
 */
const UNLEARNED_WINDOW_SCALE = 1.1;

/** How many of the latest calls' prompt counts set the scale of our estimates, and how many before any does. */
const RATIO_SAMPLES = 100;
const MIN_RATIO_SAMPLES = 5;
/**
 * Which of them a prompt estimate is scaled to cover. The largest, used before, cost 1 s windows 0.6% of makespan for
 * 0.03 fewer 429s per 100 calls (configured; 0.11 fewer with headers).
 */
const RATIO_QUANTILE = 0.9;

export class EstimateScale {
  /** What the provider counted ÷ our estimate of a prompt, for the latest calls (a ring). */
  private readonly ratios: number[] = [];
  private next = 0;
  /** Their 90th percentile: what a prompt estimate is scaled by. */
  private usual = 1;
  /** The largest of them: what a window's last calls are scaled by. */
  private top = 1;

  get learned(): boolean {
    return this.ratios.length >= MIN_RATIO_SAMPLES;
  }

  /** The scale for a call; `last` for a fixed window's last calls. */
  factor(last: boolean): number {
    return last ? this.top : this.usual;
  }

  /**
   * What a call will be charged: its prompt estimate scaled by the 90th percentile of the ratios of what the provider
   * counted to our estimate over the latest calls (the largest, until there are ten), times `inflation` when the
   * provider already turned it away. A window filled to the brim overflows only when the calls that share it are
   * mostly among the largest tenth, and a call turned away comes back charged at what the provider said it lacked.
   * A window's `last` calls are scaled by the largest ratio: once the readings of the calls before them are in, they
   * alone carry the window's margin, and a 429 then loses what was left of the window. Before five calls are back, a
   * windowed lane scales every call by a tenth; a blind lane never scales.
   */
  chargeFor(ticket: TicketCosts, inflation: number, lane: { last: boolean; windowed: boolean; blind: boolean }): TicketCosts {
    const output = ticket.outputTokens ?? 0;
    const input = ticket.inputTokens ?? ticket.tokens - output;
    let scale = 1;
    if (this.learned) scale = this.factor(lane.last);
    else if (lane.windowed) scale = UNLEARNED_WINDOW_SCALE;
    if (lane.blind) scale = 1;
    const scaled = Math.ceil(input * scale * inflation);
    return { tokens: scaled + output, inputTokens: scaled, outputTokens: ticket.outputTokens };
  }

  learn(estimate: number, counted: number): void {
    if (estimate <= 0 || counted <= 0) return;
    const ratio = counted / estimate;
    if (this.ratios.length < RATIO_SAMPLES) this.ratios.push(ratio);
    else this.ratios[this.next] = ratio;
    this.next = (this.next + 1) % RATIO_SAMPLES;
    const sorted = [...this.ratios].sort((a, b) => a - b);
    this.usual = Math.min(2, Math.max(0.5, sorted[Math.min(sorted.length - 1, Math.floor(RATIO_QUANTILE * sorted.length))]!));
    this.top = Math.min(2, Math.max(0.5, sorted[sorted.length - 1]!));
  }
}
