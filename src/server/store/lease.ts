// One process at a time runs a data directory's jobs: the one holding the lease, a single row in the database that
// it renews every few seconds. Two processes resuming the same jobs would run (and bill) every call twice.
//
// The lease is taken in a BEGIN IMMEDIATE transaction, so of two processes starting at once exactly one gets it.
// It is taken over only from an owner that is gone: on this machine, a process that has exited (or whose pid now
// belongs to another process, or that ran before the machine restarted); on another machine (or in another container)
// sharing the directory, one that stopped renewing. A live owner on this machine is never taken over, even a slow one.
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname as osHostname, uptime } from 'node:os';
import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';

/** Who holds a data directory's lease. */
export interface LeaseOwner {
  pid: number;
  hostname: string;
  /** What holds it: "fieldwork serve", "fieldwork run"… */
  command: string;
  /** Where it listens; null while it is starting. */
  url: string | null;
  acquired_at: string;
  /** Milliseconds since the epoch. */
  renewed_at: number;
}

/** What the lease needs to know about processes; tests pass their own. */
export interface ProcessProbe {
  pid: number;
  hostname: string;
  /** This process's pid namespace, or null where there is none to read (not Linux). */
  pidSpace: string | null;
  now(): number;
  /** Milliseconds since the epoch when this machine started. */
  bootTime(): number;
  isAlive(pid: number): boolean;
  /** The process's start time as the OS reports it, or null where that cannot be read (not Linux). */
  startOf(pid: number): string | null;
}

export interface LeaseOptions {
  command: string;
  /** How often the owner renews (default 5 s). */
  renewEveryMs?: number;
  /** After how long without renewal an owner on another machine counts as gone (default 30 s). */
  staleAfterMs?: number;
  /** Called once if another process took the lease over (only possible across machines); the holder must stop. */
  onLost?: (owner: LeaseOwner | null) => void;
  /** A renewal that failed (a busy or unwritable database); it is tried again at the next tick. */
  onRenewError?: (error: unknown) => void;
  probe?: ProcessProbe;
}

export const RENEW_EVERY_MS = 5_000;
export const STALE_AFTER_MS = 30_000;

/** The data directory is owned by another live process. */
export class DataDirOwnedError extends Error {
  constructor(
    readonly owner: LeaseOwner,
    /** Set when the owner lives on this machine but has not renewed for a while: it may hang. */
    readonly silentForMs: number | null,
  ) {
    const where = owner.url ? `at ${owner.url}` : 'still starting';
    const silent =
      silentForMs === null ? '' : `; it has not renewed its lease for ${Math.round(silentForMs / 1000)} s — if it hangs, stop it (kill ${owner.pid})`;
    super(`in use by ${owner.command} (pid ${owner.pid} on ${owner.hostname}, ${where}, since ${owner.acquired_at})${silent}`);
    this.name = 'DataDirOwnedError';
  }
}

interface LeaseRow extends LeaseOwner {
  holder: string;
  pid_start: string | null;
  pid_space: string | null;
}

export class DataDirLease {
  private readonly timer: NodeJS.Timeout;
  private released = false;

  constructor(
    private readonly db: DatabaseSync,
    readonly holder: string,
    /** The owner this process took over from, if the last one did not let go cleanly. */
    readonly previous: { owner: LeaseOwner; reason: string } | null,
    private readonly options: LeaseOptions,
    private readonly probe: ProcessProbe,
  ) {
    this.timer = setInterval(() => this.renew(), options.renewEveryMs ?? RENEW_EVERY_MS);
    this.timer.unref();
  }

  setUrl(url: string): void {
    this.db.prepare('UPDATE server_lease SET url = ? WHERE id = 1 AND holder = ?').run(url, this.holder);
  }

  /** Writes the renewal now; false if the lease was lost. */
  renew(): boolean {
    if (this.released) return false;
    let changes: number | bigint;
    try {
      ({ changes } = this.db.prepare('UPDATE server_lease SET renewed_at = ? WHERE id = 1 AND holder = ?').run(this.probe.now(), this.holder));
    } catch (error) {
      this.options.onRenewError?.(error);
      return true;
    }
    if (Number(changes) > 0) return true;
    const row = readRow(this.db);
    this.stop();
    this.options.onLost?.(row ? ownerOf(row) : null);
    return false;
  }

  /** Lets go of the lease (if still held) so the next process takes it at once. */
  release(): void {
    if (this.released) return;
    try {
      this.db.prepare('DELETE FROM server_lease WHERE id = 1 AND holder = ?').run(this.holder);
    } finally {
      this.stop();
    }
  }

  private stop(): void {
    this.released = true;
    clearInterval(this.timer);
    this.db.close();
  }
}

/** Takes the lease of the database at `dbPath` (whose schema is already migrated), or throws DataDirOwnedError. */
export function acquireLease(dbPath: string, options: LeaseOptions): DataDirLease {
  const probe = options.probe ?? systemProbe();
  // Its own connection: renewals never wait on, or interleave with, the store's transactions.
  const db = new DatabaseSync(dbPath);
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    const holder = randomBytes(16).toString('hex');
    const previous = takeOrRefuse(db, holder, options, probe);
    return new DataDirLease(db, holder, previous, options, probe);
  } catch (error) {
    db.close();
    throw error;
  }
}

function takeOrRefuse(db: DatabaseSync, holder: string, options: LeaseOptions, probe: ProcessProbe): DataDirLease['previous'] {
  db.exec('BEGIN IMMEDIATE');
  try {
    const row = readRow(db);
    let previous: DataDirLease['previous'] = null;
    if (row) {
      const reason = goneReason(row, probe, options.staleAfterMs ?? STALE_AFTER_MS);
      if (reason === null) {
        const silentFor = probe.now() - row.renewed_at;
        throw new DataDirOwnedError(ownerOf(row), silentFor > (options.staleAfterMs ?? STALE_AFTER_MS) ? silentFor : null);
      }
      previous = { owner: ownerOf(row), reason };
    }
    db.prepare(
      `INSERT OR REPLACE INTO server_lease (id, holder, pid, pid_start, pid_space, hostname, command, url, acquired_at, renewed_at)
       VALUES (1, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
    ).run(holder, probe.pid, probe.startOf(probe.pid), probe.pidSpace, probe.hostname, options.command, new Date(probe.now()).toISOString(), probe.now());
    db.exec('COMMIT');
    return previous;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/** Why the lease's owner is gone, or null if it may still be running. */
export function goneReason(row: LeaseRow, probe: ProcessProbe, staleAfterMs: number): string | null {
  const silentFor = probe.now() - row.renewed_at;
  if (row.hostname !== probe.hostname || row.pid_space !== probe.pidSpace) {
    // Another machine's (or container's) processes cannot be seen from here: only silence tells.
    const where = row.hostname !== probe.hostname ? `on ${row.hostname}` : `in another pid namespace of ${row.hostname}`;
    return silentFor > staleAfterMs ? `it ran ${where} and has not renewed its lease for ${Math.round(silentFor / 1000)} s` : null;
  }
  if (!probe.isAlive(row.pid)) return `process ${row.pid} has exited`;
  const start = probe.startOf(row.pid);
  if (row.pid_start !== null && start !== null && start !== row.pid_start) return `pid ${row.pid} now belongs to another process`;
  if (row.renewed_at < probe.bootTime()) return 'the machine has restarted since';
  return null;
}

function readRow(db: DatabaseSync): LeaseRow | null {
  const row = db
    .prepare('SELECT holder, pid, pid_start, pid_space, hostname, command, url, acquired_at, renewed_at FROM server_lease WHERE id = 1')
    .get() as unknown as LeaseRow | undefined;
  return row ?? null;
}

function ownerOf(row: LeaseRow): LeaseOwner {
  return { pid: row.pid, hostname: row.hostname, command: row.command, url: row.url, acquired_at: row.acquired_at, renewed_at: row.renewed_at };
}

export function systemProbe(): ProcessProbe {
  return {
    pid: process.pid,
    hostname: osHostname(),
    pidSpace: pidNamespace(),
    now: () => Date.now(),
    bootTime: () => Date.now() - uptime() * 1000,
    isAlive,
    startOf: (pid) => linuxStat(pid)?.start ?? null,
  };
}

function isAlive(pid: number): boolean {
  if (linuxStat(pid)?.state === 'Z') return false; // exited, waiting for its parent to collect it
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

function pidNamespace(): string | null {
  try {
    return readlinkSync('/proc/self/ns/pid'); // e.g. "pid:[4026531836]"
  } catch {
    return null;
  }
}

/** State and start time (clock ticks since boot) from /proc/PID/stat; null where there is no /proc. */
function linuxStat(pid: number): { state: string; start: string } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const start = fields[19]; // field 22, starttime
  return state !== undefined && start !== undefined ? { state, start } : null;
}
