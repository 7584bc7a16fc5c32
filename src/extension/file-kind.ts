// Which spec a file name is: cheap, so CodeLens and diagnostics can ask about every document without the parser.
import { basename } from 'node:path';

export type SpecKind = 'survey' | 'eval';

const SPEC_FILE = /\.(survey|eval)\.(ya?ml|json)$/i;

export function specKind(fileName: string): SpecKind | null {
  const match = SPEC_FILE.exec(basename(fileName));
  return match ? (match[1]!.toLowerCase() as SpecKind) : null;
}
