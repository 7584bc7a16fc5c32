// The data directory's lease: who may take it over from whom, decided with a stand-in for the machine's processes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../../src/server/store/sqlite';
import { acquireLease, DataDirOwnedError, type LeaseOwner, type ProcessProbe } from '../../../src/server/store/lease';

interface Machine {
  hostname: string;
  pidSpace: string | null;
  now: number;
  boot: number;
  alive: Map<number, string>;
}

function probeFor(machine: Machine, pid: number): ProcessProbe {
  return {
    pid,
    hostname: machine.hostname,
    pidSpace: machine.pidSpace,
    now: () => machine.now,
    bootTime: () => machine.boot,
    isAlive: (p) => machine.alive.has(p),
    startOf: (p) => machine.alive.get(p) ?? null,
  };
}

describe('data directory lease', () => {
  let dir: string;
  let db: string;
  let machine: Machine;
  let n = 0;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fieldwork-lease-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A fresh, migrated database and a machine with processes 100 and 200 running. */
  const fresh = (): void => {
    db = join(dir, `lease-${n++}.db`);
    openSqliteStore(db).close();
    machine = {
      hostname: 'here',
      pidSpace: 'pid:[1]',
      now: 1_000_000,
      boot: 0,
      alive: new Map([
        [100, 's100'],
        [200, 's200'],
      ]),
    };
  };
  const take = (pid: number, on: Machine = machine, extra: { staleAfterMs?: number; onLost?: (owner: LeaseOwner | null) => void } = {}) =>
    acquireLease(db, { command: `test ${pid}`, probe: probeFor(on, pid), ...extra });
  const refusal = (fn: () => unknown): DataDirOwnedError => {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof DataDirOwnedError, String(error));
      return error;
    }
    assert.fail('the lease was taken');
  };

  it('a live owner on this machine keeps it, and the refusal names it', () => {
    fresh();
    const first = take(100);
    first.setUrl('http://127.0.0.1:9999');
    const error = refusal(() => take(200));
    assert.equal(error.owner.pid, 100);
    assert.equal(error.owner.url, 'http://127.0.0.1:9999');
    assert.match(error.message, /test 100 \(pid 100 on here, at http:\/\/127\.0\.0\.1:9999/);
    assert.equal(error.silentForMs, null);
    first.release();
  });

  it('even one that stopped renewing: it may be slow, not gone — the message says how to stop it', () => {
    fresh();
    const first = take(100);
    machine.now += 10 * 60_000;
    const error = refusal(() => take(200));
    assert.ok(error.silentForMs !== null && error.silentForMs >= 600_000);
    assert.match(error.message, /kill 100/);
    first.release();
  });

  it('is taken over at once from a process that has exited', () => {
    fresh();
    take(100);
    machine.alive.delete(100);
    const second = take(200);
    assert.equal(second.previous?.owner.pid, 100);
    assert.match(second.previous!.reason, /process 100 has exited/);
    second.release();
  });

  it('is taken over when the pid now belongs to another process, or the machine restarted since', () => {
    fresh();
    take(100);
    machine.alive.set(100, 'another start');
    assert.match(take(200).previous!.reason, /now belongs to another process/);

    fresh();
    take(100);
    machine.alive.set(100, 'another start');
    machine.alive.set(100, 's100');
    machine.boot = machine.now + 1; // the lease was last renewed before this boot
    machine.now += 5_000;
    assert.match(take(200).previous!.reason, /restarted/);
  });

  it('from another machine: only after it stopped renewing, and the old holder learns it lost the lease', () => {
    fresh();
    const lost: (LeaseOwner | null)[] = [];
    const first = take(100, machine, { onLost: (owner) => lost.push(owner) });
    const other: Machine = { ...machine, hostname: 'there', alive: new Map([[300, 's300']]) };
    refusal(() => take(300, other));
    other.now += 31_000;
    const second = take(300, other);
    assert.match(second.previous!.reason, /on here .* 31 s/);
    assert.equal(first.renew(), false);
    assert.deepEqual(
      lost.map((owner) => owner?.hostname),
      ['there'],
    );
    second.release();
  });

  it('a container with the same hostname but its own pids counts as another machine', () => {
    fresh();
    take(100);
    // Its pid 100 is alive but is another process: only the lease's silence may tell the owner is gone.
    const container: Machine = {
      ...machine,
      pidSpace: 'pid:[2]',
      alive: new Map([
        [100, 'other'],
        [300, 's300'],
      ]),
    };
    refusal(() => take(300, container));
    container.now += 31_000;
    assert.match(take(300, container).previous!.reason, /another pid namespace of here/);
  });

  it('a clean release lets the next one in without a take-over', () => {
    fresh();
    take(100).release();
    const next = take(200);
    assert.equal(next.previous, null);
    assert.equal(next.renew(), true);
    next.release();
  });
});
