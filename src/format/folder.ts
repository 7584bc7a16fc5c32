// Files a spec names must be inside its folder. A path with "..", an absolute path and a link that leads out of the
// folder (sub/data.csv -> /etc/passwd) are refused alike, with one message: the survey may travel to a shared server
// or a colleague, and a file from elsewhere on this machine must never go with it.

/** Thrown by a FileReader for a path whose real location is outside the spec's folder. */
export class OutsideFolderError extends Error {
  constructor(readonly relativePath: string) {
    super(`"${relativePath}" leads outside the folder`);
    this.name = 'OutsideFolderError';
  }
}

/** `what`: "scenarios file", "image", "dataset file"; `noun`: "survey" or "eval". */
export function outsideFolderMessage(what: string, path: string, noun: string): string {
  return `${what} "${path}" must be inside the ${noun}'s folder: use a relative path without "..", and no link that leads out of the folder`;
}
