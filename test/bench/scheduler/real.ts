// Real-time mode: through the job server over loopback against the HTTP mock provider. Not written yet: the
// server's services config (issue 5) landed while this was being built; see the README's note.
import type { Row } from './simulate';

export async function runReal(_scenarios: readonly string[], _strategies: readonly string[], log: (line: string) => void): Promise<Row[]> {
  log('real mode is pending: it will run the job server (startServer with an OpenAI-compatible service at the mock provider) over loopback');
  return [];
}
