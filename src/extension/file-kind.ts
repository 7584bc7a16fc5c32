// Which spec a file name is: cheap, so CodeLens and diagnostics can ask about every document without the parser.
// The choice itself is the file format's; imported from its own file so the eager bundle stays free of the parser.
import { formatFileKind, type FileKind } from '../format/file-kind';

export type SpecKind = FileKind;

export function specKind(fileName: string): SpecKind | null {
  return formatFileKind(fileName);
}
