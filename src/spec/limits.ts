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
/** Milliseconds one template render may take. */
export const TEMPLATE_RENDER_MS = 1_000;
/** Allocation budget of one template render (liquidjs's memoryLimit units). */
export const TEMPLATE_MEMORY = 10_000_000;

export const megabytes = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
