// The extension's Log, kept in memory: a test reads what would have reached the "Fieldwork" output channel.
import type { Log } from '../../../../src/extension/log/log';

export interface MemoryLog extends Log {
  readonly lines: string[];
  text(): string;
}

export function memoryLog(): MemoryLog {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => void lines.push(`info ${message}`),
    warn: (message) => void lines.push(`warn ${message}`),
    error: (message, error) => void lines.push(`error ${message}${error === undefined ? '' : `: ${error instanceof Error ? error.message : String(error)}`}`),
    show: () => void lines.push('show'),
    text: () => lines.join('\n'),
  };
}
