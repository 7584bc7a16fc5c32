// A survey expands into interviews: every agent × scenario × model × iteration. Interviews are numbered in mixed
// radix — iteration fastest, then model, then scenario, then agent — so any interview can be found from its index
// and the whole set walked lazily: a million interviews never sit in memory.

export interface InterviewRef {
  index: number;
  agentIndex: number;
  scenarioIndex: number;
  modelIndex: number;
  iteration: number;
}

export interface Dimensions {
  agents: number;
  scenarios: number;
  models: number;
  iterations: number;
}

export function interviewCount(size: Dimensions): number {
  return size.agents * size.scenarios * size.models * size.iterations;
}

export function interviewAt(size: Dimensions, index: number): InterviewRef {
  const total = interviewCount(size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= total) {
    throw new RangeError(`interview ${index} does not exist; this survey has interviews 0 to ${total - 1}`);
  }
  let rest = index;
  const iteration = rest % size.iterations;
  rest = (rest - iteration) / size.iterations;
  const modelIndex = rest % size.models;
  rest = (rest - modelIndex) / size.models;
  const scenarioIndex = rest % size.scenarios;
  const agentIndex = (rest - scenarioIndex) / size.scenarios;
  return { index, agentIndex, scenarioIndex, modelIndex, iteration };
}

/** Interviews from `from` on, one at a time, counting up without division. */
export function* interviews(size: Dimensions, from = 0): Generator<InterviewRef> {
  const total = interviewCount(size);
  if (from >= total) return;
  let { agentIndex, scenarioIndex, modelIndex, iteration } = interviewAt(size, Math.max(0, from));
  for (let index = Math.max(0, from); index < total; index++) {
    yield { index, agentIndex, scenarioIndex, modelIndex, iteration };
    if (++iteration < size.iterations) continue;
    iteration = 0;
    if (++modelIndex < size.models) continue;
    modelIndex = 0;
    if (++scenarioIndex < size.scenarios) continue;
    scenarioIndex = 0;
    agentIndex++;
  }
}
