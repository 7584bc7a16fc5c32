// Opaque paging cursors: base64url of a small JSON tuple. Opaque to clients, checked on the way back in.
import { InvalidCursorError } from './store';

export function encodeCursor(position: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** Decodes a cursor whose tuple must have exactly these element types, else throws InvalidCursorError. */
export function decodeCursor<T extends ('string' | 'number')[]>(cursor: string, types: [...T]): { [K in keyof T]: T[K] extends 'string' ? string : number } {
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (
    !Array.isArray(position) ||
    position.length !== types.length ||
    !position.every((value, i) => typeof value === types[i] && (typeof value !== 'number' || Number.isFinite(value)))
  ) {
    throw new InvalidCursorError();
  }
  return position as { [K in keyof T]: T[K] extends 'string' ? string : number };
}
