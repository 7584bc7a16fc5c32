// Hard limits that keep a hostile or accidental file from exhausting the parser, the server or the user's patience.
// Each is named in the message a user sees when it is hit.

/** A survey file (YAML or JSON) larger than this is refused before parsing. */
export const MAX_SOURCE_BYTES = 10 * 1024 * 1024;
/** A scenario file (CSV or JSONL) larger than this is refused. */
export const MAX_SCENARIO_FILE_BYTES = 200 * 1024 * 1024;
/** Collections nested deeper than this are refused (a survey needs about 5 levels). */
export const MAX_DEPTH = 64;
/** YAML aliases resolved per document; more is a "billion laughs" attack. */
export const MAX_ALIAS_COUNT = 100;
/** Longest skip_if / stop_if expression. */
export const MAX_RULE_LENGTH = 2_000;
/** Longest question_text template (characters), checked by the template parser. */
export const MAX_TEMPLATE_LENGTH = 100_000;
/**
 * Milliseconds one template render may take. Renders run on the server's event loop during estimates and runs, so
 * this is also the longest pause one render can cause other requests; a prompt template needs microseconds.
 */
export const TEMPLATE_RENDER_MS = 250;
/** Allocation budget of one template render (liquidjs's memoryLimit units). */
export const TEMPLATE_MEMORY = 10_000_000;

/** Questions per survey unless FIELDWORK_MAX_QUESTIONS says otherwise (for a server, and for local checks). */
export const DEFAULT_MAX_QUESTIONS = 2_000;
/** The most FIELDWORK_MAX_QUESTIONS may allow: beyond it the entry scan refuses the file anyway. */
const MAX_QUESTIONS_SETTING = 10_000;

/** FIELDWORK_MAX_QUESTIONS's value as a limit; the default when unset. Throws an Error saying what is wrong. */
export function maxQuestionsSetting(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_MAX_QUESTIONS;
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number < 1 || number > MAX_QUESTIONS_SETTING) {
    throw new Error(`FIELDWORK_MAX_QUESTIONS must be a whole number from 1 to ${MAX_QUESTIONS_SETTING.toLocaleString('en-US')}; it is "${value}"`);
  }
  return number;
}
/**
 * Keys and list items a spec file may hold, counted by a cheap scan before the YAML parser runs: the parser needs
 * about 2 KB of memory per entry, so this bounds a parse to about 100 MB. 2,000 questions with options need ~25,000.
 */
export const MAX_ENTRIES = 50_000;
/** Longest quoted text in a spec file (characters): the parser needs ~30 bytes per character of a "quoted" one. */
export const MAX_QUOTED_LENGTH = 1_000_000;
/** Renders tried per survey while checking it, spread over questions, scenarios and agents. */
export const TRIAL_RENDERS = 2_000;
/** Time those trial renders may take together (ms); past it the rest are left to the estimate and the run. */
export const TRIAL_RENDER_MS = 2_000;

export const megabytes = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
