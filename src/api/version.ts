// Replaced at bundle time by esbuild's `define`; the fallback serves tests run from source.
declare const __FIELDWORK_VERSION__: string | undefined;
export const VERSION: string = typeof __FIELDWORK_VERSION__ === 'string' ? __FIELDWORK_VERSION__ : '0.1.0-dev';
