// Maps a path in the parsed document (as zod reports it) back to the line and column the user wrote it at.
// JSON files go through the same YAML parser, so both kinds get positions.
import { isAlias, isMap, isScalar, isSeq, Scalar, type Document, type LineCounter, type Node } from 'yaml';
import type { SpecIssue } from './issues';

export type Path = (string | number)[];

/** Where a string value starts in its file; `inline`: an offset in the value adds to the column. */
export interface ValuePlace {
  line: number;
  column: number;
  inline: boolean;
}

/** The line and column of `offset` in a value at `place`. */
export function placeAt(place: ValuePlace, offset: number): { line: number; column: number } {
  return place.inline && offset >= 0 ? { line: place.line, column: place.column + offset } : { line: place.line, column: place.column };
}

interface Span {
  line: number;
  column: number;
  end_line?: number;
  end_column?: number;
}

export class SourcePositions {
  constructor(
    readonly file: string,
    private readonly text: string,
    private readonly lineCounter: LineCounter,
    private readonly doc: Document.Parsed | null = null,
  ) {}

  /** An issue at the node `path` names; at its key instead when `atKey` (for unknown or duplicate keys). */
  issue(path: Path, message: string, options: { atKey?: boolean } = {}): SpecIssue {
    const node = this.nodeAt(path, options.atKey ?? false);
    const span = node?.range ? this.span(node.range[0], node.range[1]) : { line: 1, column: 1 };
    return { file: this.file, path, message, ...span };
  }

  /** An issue at character `offset` of a string value (a rule's syntax error, a template variable), when it can be pinned. */
  issueWithin(path: Path, offset: number, length: number, message: string): SpecIssue {
    const start = offset >= 0 ? this.verbatimStart(path) : -1;
    if (start >= 0) return { file: this.file, path, message, ...this.span(start + offset, start + offset + Math.max(1, length)) };
    return this.issue(path, message);
  }

  /**
   * Where a string value starts, and whether an offset in the value is a column on that line: what a spec issue
   * found later, without this document (a render failing on the server), needs to be reported at the right place.
   */
  valuePlace(path: Path): ValuePlace {
    const start = this.verbatimStart(path);
    if (start >= 0) {
      const { line, column } = this.span(start, start);
      return { line, column, inline: true };
    }
    const { line, column } = this.issue(path, '');
    return { line, column, inline: false };
  }

  /** The file offset of a string value written verbatim on one line, or -1: only there do offsets in it map to columns. */
  private verbatimStart(path: Path): number {
    const node = this.nodeAt(path, false);
    if (!node || !isScalar(node) || !node.range || typeof node.value !== 'string') return -1;
    const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
    const start = node.range[0] + (quoted ? 1 : 0);
    const verbatim = (quoted || node.type === Scalar.PLAIN) && this.text.slice(start, start + node.value.length) === node.value;
    return verbatim && !node.value.includes('\n') ? start : -1;
  }

  /** An issue at a character offset of the file (syntax errors). */
  issueAtOffset(offset: number, message: string, path: Path = []): SpecIssue {
    return { file: this.file, path, message, ...this.span(offset, offset) };
  }

  private span(start: number, end: number): Span {
    if (this.lineCounter.lineStarts.length === 0) this.lineCounter.addNewLine(0);
    const from = this.lineCounter.linePos(Math.max(0, start));
    const to = this.lineCounter.linePos(Math.max(start, end));
    return { line: from.line, column: from.col, end_line: to.line, end_column: to.col };
  }

  /** The deepest node along `path` that exists (a missing key points at the map that lacks it). */
  private nodeAt(path: Path, atKey: boolean): Node | null {
    let node: unknown = this.doc?.contents ?? null;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) return node;
        // `key:` with no value has no value node: point at the key.
        if ((i === path.length - 1 && atKey) || !pair.value || (isScalar(pair.value) && !pair.value.range)) {
          return pair.key as Node;
        }
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (item === undefined || item === null) return node;
        node = item;
      } else {
        break;
      }
      if (isAlias(node)) break;
    }
    return (node as Node | null) ?? null;
  }
}

/** Positions in a file we hold no parsed document for (a scenario file): line-level issues. */
export function lineIssue(file: string, line: number, message: string, path: Path = []): SpecIssue {
  return { file, line, column: 1, path, message };
}
