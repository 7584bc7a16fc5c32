// Which call a fixed window takes before its end. The window's last calls go just before it ends, when the refunds
// of the calls in flight are in; what they cannot fill is lost. So the calls that go earlier are chosen for the room
// they will leave: one that leaves less than any call costs, or more than one call and less than two, wastes what
// a different choice would have used. Refunds count only while the window has charges for them to reduce: holding
// every call while it has none loses what comes back meanwhile. Refunds are uncertain (a call may be back just too
// late), so each choice is weighed over their forecast, not their mean.

/** What the calls in flight may give back before the window's last calls go: `chances[i]` of `i × step` tokens. */
export interface RefundOutlook {
  step: number;
  chances: readonly number[];
}

/** Losses closer than this (tokens) count as equal: then holding wins, and then the queue's order. */
const TIE = 1;
/**
 * How many of the first waiting calls a choice looks at. Choosing from all of them drains the sizes each window
 * favours, and later windows find none left (1 s windows, simulated: 1.087 of T* choosing from 64, 1.069 from 8).
 */
const CHOICES = 8;

/**
 * What is left unused of `room` when the calls of `sorted` (costs, ascending; but for the one at `skip`) fill it
 * best, one or two at a time, the largest first while the two largest both fit.
 */
export function leftover(room: number, sorted: readonly number[], skip = -1): number {
  const costs = skip < 0 ? sorted : sorted.filter((_, i) => i !== skip);
  let top = costs.length - 1;
  while (top >= 1 && costs[top]! + costs[top - 1]! <= room) room -= costs[top--]!;
  if (top < 0 || room < costs[0]!) return Math.max(0, room);
  let best = 0;
  // The largest single call that fits, then the best pair (two pointers over the ascending costs).
  for (let i = top; i >= 0; i--) {
    if (costs[i]! <= room) {
      best = costs[i]!;
      break;
    }
  }
  for (let i = 0, j = top; i < j;) {
    const pair = costs[i]! + costs[j]!;
    if (pair <= room) {
      best = Math.max(best, pair);
      i++;
    } else {
      j--;
    }
  }
  return room - best;
}

/**
 * Expected tokens the window loses if `take` more is charged now: refunds that find no charge left to reduce, plus
 * what its last calls cannot fill of the room then (`leftoverOf` a room).
 */
export function expectedLoss(level: number, used: number, take: number, refunds: RefundOutlook, leftoverOf: (room: number) => number): number {
  let loss = 0;
  for (let i = 0; i < refunds.chances.length; i++) {
    const chance = refunds.chances[i]!;
    if (chance === 0) continue;
    const back = i * refunds.step;
    const credited = Math.min(back, used + take);
    loss += chance * (back - credited + leftoverOf(level - take + credited));
  }
  return loss;
}

/**
 * Which of `costs` (the waiting calls' costs, in queue order) to send now, or -1 to hold them all until the window's
 * last moment. Only calls that `canGo` (the window has room for them now) are sent. On a tie, holding wins only
 * when `refundsKnown`: before any call is back the outlook says no refund comes, which is not knowledge, and holding
 * on it only idles the window while its refunds find nothing charged to reduce.
 */
export function planWindow(
  level: number,
  used: number,
  refunds: RefundOutlook,
  costs: readonly number[],
  canGo: readonly boolean[],
  refundsKnown = true,
): number {
  const sorted = [...costs].sort((a, b) => a - b);
  // What the last calls leave of a room, from the calls but the one sent now (by room, for each choice).
  const leftoverWithout = (skip: number) => {
    const table = new Map<number, number>();
    return (room: number) => {
      const at = Math.round(room);
      let value = table.get(at);
      if (value === undefined) table.set(at, (value = leftover(at, sorted, skip)));
      return value;
    };
  };
  let best = -1;
  let bestLoss = expectedLoss(level, used, 0, refunds, leftoverWithout(-1));
  const seen = new Set<number>();
  for (let i = 0; i < Math.min(CHOICES, costs.length); i++) {
    const cost = costs[i]!;
    // Calls of the same cost are the same choice: the first in the queue's order stands for them.
    if (!canGo[i] || cost > level || seen.has(cost)) continue;
    seen.add(cost);
    const loss = expectedLoss(level, used, cost, refunds, leftoverWithout(sorted.indexOf(cost)));
    if (loss < bestLoss - TIE || (!refundsKnown && best < 0 && loss <= bestLoss + TIE)) {
      best = i;
      bestLoss = loss;
    }
  }
  return best;
}
