// Question texts are Liquid templates (liquidjs, the same `{{ }}` syntax as EDSL's Jinja for everyday use).
//
// Variables a question_text may use:
//   {{ product }} or {{ scenario.product }}   a scenario's value (keys at top level and under `scenario`)
//   {{ agent.age }}, {{ agent.name }}          the agent's traits, and its name
//   {{ drinks.answer }}, {{ drinks.comment }}  an earlier question's answer and comment (empty when there is none)
// A name that is both a scenario key and a question: {{ rating }} is the scenario's, {{ rating.answer }} the question's.
// Lists and maps render as JSON; filters work (`{{ habits.answer | join: ", " }}`, `{{ product | upcase }}`).
// Unknown names are errors when the survey is parsed, not blanks in a prompt.
//
// Sandboxed: only an object's own properties are visible (no `constructor`, no `__proto__`), there is no file
// system (the include, render and layout tags are removed), and parse size, render time and memory are limited.
import { Liquid, type Template } from 'liquidjs';
import { MAX_TEMPLATE_LENGTH, TEMPLATE_MEMORY, TEMPLATE_RENDER_MS } from './limits';

export interface CompiledTemplate {
  readonly source: string;
  /** Renders with `scope`; throws a TemplateRenderError saying why and where when it fails (e.g. a render limit). */
  render(scope: Record<string, unknown>): string;
  /** True when the template has no tags or outputs: it renders as its source. */
  readonly isFixed: boolean;
}

export interface TemplateVariable {
  /** e.g. ["scenario", "product"]; a computed segment (`a[b]`) ends the path. */
  path: (string | number)[];
  /** Offset of the variable in the template text. */
  offset: number;
}

export type TemplateCompilation = { ok: true; template: CompiledTemplate; variables: TemplateVariable[] } | { ok: false; offset: number; message: string };

const engine = new Liquid({
  ownPropertyOnly: true,
  strictVariables: false,
  strictFilters: true,
  jsTruthy: false,
  relativeReference: false,
  dynamicPartials: false,
  templates: {},
  cache: false,
  parseLimit: MAX_TEMPLATE_LENGTH,
  renderLimit: TEMPLATE_RENDER_MS,
  memoryLimit: TEMPLATE_MEMORY,
  outputEscape: (value: unknown) => renderValue(value),
});
for (const tag of ['include', 'render', 'layout']) delete engine.tags[tag];

/** How a value shows in a prompt: text as is, nothing as empty, lists and maps as JSON. */
export function renderValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value);
    } catch {
      return '';
    }
  }
  return String(value);
}

export function compileTemplate(text: string): TemplateCompilation {
  // Plain text too: a prompt this long is a mistake whether or not it has tags, and liquidjs would say so for tags.
  if (text.length > MAX_TEMPLATE_LENGTH) {
    return {
      ok: false,
      offset: 0,
      message: `it is ${text.length.toLocaleString('en-US')} characters; the limit is ${MAX_TEMPLATE_LENGTH.toLocaleString('en-US')}. Put long material in a scenario value`,
    };
  }
  if (!text.includes('{{') && !text.includes('{%')) {
    return { ok: true, template: { source: text, isFixed: true, render: () => text }, variables: [] };
  }
  let parsed: Template[];
  try {
    parsed = engine.parse(text);
  } catch (error) {
    return { ok: false, ...located(text, error) };
  }
  const variables: TemplateVariable[] = [];
  try {
    const analysis = engine.analyzeSync(parsed, { partials: false });
    for (const occurrences of Object.values(analysis.globals)) {
      for (const variable of occurrences) {
        const path: (string | number)[] = [];
        for (const segment of variable.segments) {
          if (typeof segment !== 'string' && typeof segment !== 'number') break;
          path.push(segment);
        }
        variables.push({ path, offset: offsetOf(text, variable.location.row, variable.location.col) });
      }
    }
  } catch (error) {
    return { ok: false, ...located(text, error) };
  }
  const template: CompiledTemplate = {
    source: text,
    isFixed: false,
    render(scope) {
      const failure = renderTwice(() => engine.renderSync(parsed, scope) as string);
      if (typeof failure === 'string') return failure;
      const { offset, message } = located(text, failure.error);
      throw new TemplateRenderError(message, offset);
    },
  };
  return { ok: true, template, variables };
}

/**
 * A render that fails is tried once more before it counts: the time limit is wall-clock time, and a server busy with
 * other work (or a worker just started) can pause a render past it. A template that really runs into a limit, or
 * names a filter that does not exist, fails twice. Returns the text, or the second failure.
 */
export function renderTwice(render: () => string): string | { error: unknown } {
  try {
    return render();
  } catch {
    try {
      return render();
    } catch (error) {
      return { error };
    }
  }
}

/** A render that failed, most often at a limit (time, memory); `offset` is where in the template, or -1. */
export class TemplateRenderError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`the template could not be rendered: ${reason}`);
    this.name = 'TemplateRenderError';
  }
}

/** A liquidjs error as a message without its `, line:1, col:5` suffix, and the offset it names. */
function located(text: string, error: unknown): { offset: number; message: string } {
  const raw = error instanceof Error ? error.message : String(error);
  const place = /,?\s*line:(\d+), col:(\d+)/.exec(raw);
  const message = (place ? raw.replace(place[0], '') : raw).split('\n')[0] ?? raw;
  return { offset: place ? offsetOf(text, Number(place[1]), Number(place[2])) : -1, message };
}

function offsetOf(text: string, row: number, col: number): number {
  let offset = 0;
  for (let line = 1; line < row; line++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return -1;
    offset = next + 1;
  }
  return offset + col - 1;
}
