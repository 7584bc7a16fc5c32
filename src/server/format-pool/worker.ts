// A spec worker: parses and checks submissions off the server's event loop, one at a time, under the memory limit
// its pool gives it. Whatever goes wrong is answered as a problem with the file: the pool only sees a worker fail
// when it runs out of memory or time.
import { parentPort } from 'node:worker_threads';
import { checkSpec } from './check';
import type { ReplyMessage, SpecReply, TaskMessage } from './messages';

const port = parentPort;
if (!port) throw new Error('the spec worker runs in a worker thread of the Fieldwork server');

port.on('message', (message: TaskMessage) => {
  let reply: SpecReply;
  try {
    reply = checkSpec(message.task);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    reply = { ok: false, issues: [{ file: message.task.source.name, line: 1, column: 1, path: [], message: `could not be read: ${reason}` }], message: null };
  }
  port.postMessage({ id: message.id, reply } satisfies ReplyMessage);
});
