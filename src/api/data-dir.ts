// A data directory's layout: what the server that owns it writes there, and what the programs that find that
// server through it read (the CLI, the extension's local server). Names only, no I/O: any bundle may import it.

/** The SQLite database; SQLite keeps `-wal` and `-shm` files beside it. */
export const DB_FILE = 'fieldwork.db';
/** The directory's own API key, written by the server that serves it. */
export const API_KEY_FILE = 'api-key';
/** Which process serves the directory, and at which URL. */
export const OWNER_FILE = 'owner.json';
