// The SQLite schema, versioned with `PRAGMA user_version`. Each migration runs once, in order, in its own
// transaction; a later version appends to MIGRATIONS and never edits an entry that has shipped.
import type { DatabaseSync } from 'node:sqlite';

export const MIGRATIONS: readonly string[] = [
  // 1: keys, jobs, interviews, results, events, the call cache.
  `
  CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    user       TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,   -- sha256 hex of the key; the key itself is never stored
    prefix     TEXT NOT NULL,          -- the key's first 8 characters, to recognise it in a list
    created_at TEXT NOT NULL
  );

  CREATE TABLE jobs (
    id                TEXT PRIMARY KEY,
    kind              TEXT NOT NULL,
    name              TEXT NOT NULL,
    source_name       TEXT NOT NULL,
    owner             TEXT NOT NULL,
    status            TEXT NOT NULL,
    models            TEXT NOT NULL,    -- JSON array of model ids
    created_at        TEXT NOT NULL,
    started_at        TEXT,
    finished_at       TEXT,
    error             TEXT,
    interviews_total  INTEGER NOT NULL,
    interviews_done   INTEGER NOT NULL DEFAULT 0,
    interviews_failed INTEGER NOT NULL DEFAULT 0,
    calls_done        INTEGER NOT NULL DEFAULT 0,
    calls_cached      INTEGER NOT NULL DEFAULT 0,
    calls_failed      INTEGER NOT NULL DEFAULT 0,
    usd               REAL    NOT NULL DEFAULT 0,
    input_tokens      INTEGER NOT NULL DEFAULT 0,
    output_tokens     INTEGER NOT NULL DEFAULT 0,
    submission        TEXT NOT NULL,    -- JSON: the accepted JobSubmission
    idempotency_key   TEXT,
    UNIQUE (owner, idempotency_key)
  );
  CREATE INDEX jobs_by_owner ON jobs (owner, created_at DESC, id DESC);
  CREATE INDEX jobs_unfinished ON jobs (status) WHERE status IN ('queued', 'running', 'cancelling');

  -- The record that an interview finished; its results are written in the same transaction. Its own counters
  -- are kept so that forgetting a failed interview (for a retry) takes back exactly what it added to the job.
  CREATE TABLE interviews (
    job_id        TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    failed        INTEGER NOT NULL,
    calls_done    INTEGER NOT NULL,
    calls_cached  INTEGER NOT NULL,
    calls_failed  INTEGER NOT NULL,
    usd           REAL    NOT NULL,
    input_tokens  INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    PRIMARY KEY (job_id, idx)
  ) WITHOUT ROWID;

  -- Keyed by the question's position in its interview, so pages come out in question order by a range scan.
  CREATE TABLE results (
    job_id         TEXT NOT NULL,
    interview      INTEGER NOT NULL,
    question_index INTEGER NOT NULL,
    question       TEXT NOT NULL,
    agent_index    INTEGER NOT NULL,
    agent_name     TEXT,
    scenario_index INTEGER NOT NULL,
    model          TEXT NOT NULL,
    iteration      INTEGER NOT NULL,
    status         TEXT NOT NULL,
    answer         TEXT,               -- JSON; NULL when there is no answer
    comment        TEXT,
    raw            TEXT,
    input_tokens   INTEGER NOT NULL,
    output_tokens  INTEGER NOT NULL,
    cost_usd       REAL,
    cached         INTEGER NOT NULL,
    latency_ms     REAL NOT NULL,
    error          TEXT,
    PRIMARY KEY (job_id, interview, question_index),
    FOREIGN KEY (job_id, interview) REFERENCES interviews (job_id, idx) ON DELETE CASCADE
  ) WITHOUT ROWID;

  CREATE TABLE events (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id  TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    type    TEXT NOT NULL,
    at      TEXT NOT NULL,
    message TEXT NOT NULL,
    data    TEXT                         -- JSON object or NULL
  );
  CREATE INDEX events_by_job ON events (job_id, id);

  CREATE TABLE call_cache (
    key           TEXT PRIMARY KEY,
    raw           TEXT NOT NULL,
    input_tokens  INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cost_usd      REAL,
    model_version TEXT,
    created_at    TEXT NOT NULL,
    bytes         INTEGER NOT NULL,
    calls         INTEGER NOT NULL DEFAULT 1 -- times this call was stored: above 1 means a provider was asked again
  );
  `,
  // 2: eval results — the sample, its epoch, input and targets, and every scorer's verdict. NULL for surveys.
  `
  ALTER TABLE results ADD COLUMN sample_id TEXT;
  ALTER TABLE results ADD COLUMN epoch     INTEGER;
  ALTER TABLE results ADD COLUMN input     TEXT;
  ALTER TABLE results ADD COLUMN target    TEXT;   -- JSON array of acceptable answers
  ALTER TABLE results ADD COLUMN scores    TEXT;   -- JSON object: scorer name -> { value, answer, explanation }
  `,
  // 3: what each model of a job did and cost, billed call by call (jobs run before this have no rows).
  `
  CREATE TABLE job_model_costs (
    job_id         TEXT NOT NULL,
    model          TEXT NOT NULL,      -- the model's label in the job (a grader or embedder has its own)
    calls          INTEGER NOT NULL DEFAULT 0,
    cached_calls   INTEGER NOT NULL DEFAULT 0,
    input_tokens   INTEGER NOT NULL DEFAULT 0,
    output_tokens  INTEGER NOT NULL DEFAULT 0,
    usd            REAL    NOT NULL DEFAULT 0,
    unpriced_calls INTEGER NOT NULL DEFAULT 0, -- billed calls without a known price: the model's usd is unknown
    PRIMARY KEY (job_id, model)
  ) WITHOUT ROWID;
  `,
  // 4: revoked keys and when a key was last used; the lease that makes one server process the owner of the data.
  `
  ALTER TABLE api_keys ADD COLUMN last_used_at TEXT;  -- written at most once a minute per key
  ALTER TABLE api_keys ADD COLUMN revoked_at   TEXT;  -- a revoked key is kept for the record and refused

  -- At most one row: the process that runs this database's jobs. It renews the row every few seconds; another
  -- process takes it over only when that owner is gone (see lease.ts).
  CREATE TABLE server_lease (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    holder      TEXT NOT NULL,      -- a random token of the owning process
    pid         INTEGER NOT NULL,
    pid_start   TEXT,               -- when that process started, as the OS says (Linux), to tell a reused pid apart
    pid_space   TEXT,               -- its pid namespace (Linux): containers sharing a hostname do not share pids
    hostname    TEXT NOT NULL,
    command     TEXT NOT NULL,      -- what holds it: "fieldwork serve", "fieldwork run"…
    url         TEXT,               -- set once the server listens
    acquired_at TEXT NOT NULL,
    renewed_at  INTEGER NOT NULL    -- milliseconds since the epoch
  );
  `,
  // 5: the call cache is private to its owner (a user, or a team named in the server config), and each stored call
  // names the job and interview that paid for it, so that after a restart or a retry its row carries that cost.
  `
  CREATE TABLE call_cache_scoped (
    scope          TEXT NOT NULL,      -- whose cache: 'user:<name>' or 'team:<name>'
    key            TEXT NOT NULL,      -- the call's content address within the scope
    raw            TEXT NOT NULL,
    input_tokens   INTEGER NOT NULL,
    output_tokens  INTEGER NOT NULL,
    cost_usd       REAL,
    model_version  TEXT,
    created_at     TEXT NOT NULL,
    bytes          INTEGER NOT NULL,
    calls          INTEGER NOT NULL DEFAULT 1,
    paid_job       TEXT,               -- the job whose interview paid a provider for this answer
    paid_interview INTEGER,
    PRIMARY KEY (scope, key)
  );
  -- Calls cached before this were shared and carry no owner. Where every job belongs to one user (a local server),
  -- they stay that user's; otherwise no one can be told which are theirs, so they are dropped (results stay).
  INSERT INTO call_cache_scoped (scope, key, raw, input_tokens, output_tokens, cost_usd, model_version, created_at, bytes, calls)
    SELECT 'user:' || (SELECT min(owner) FROM jobs), key, raw, input_tokens, output_tokens, cost_usd, model_version,
      created_at, bytes, calls
    FROM call_cache
    WHERE (SELECT count(DISTINCT owner) FROM jobs) = 1;
  DROP TABLE call_cache;
  ALTER TABLE call_cache_scoped RENAME TO call_cache;
  `,
];

/** Brings the database up to the newest schema; returns the version it is at. */
export function migrate(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number } | undefined;
  const current = row?.user_version ?? 0;
  if (current > MIGRATIONS.length) {
    throw new Error(`The database is at schema version ${current}, newer than this server knows (${MIGRATIONS.length}). Upgrade the server.`);
  }
  for (let version = current + 1; version <= MIGRATIONS.length; version++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      // Another process opening the same database may have applied it between the read above and this lock.
      const now = (db.prepare('PRAGMA user_version').get() as { user_version: number } | undefined)?.user_version ?? 0;
      if (now >= version) {
        db.exec('COMMIT');
        continue;
      }
      db.exec(MIGRATIONS[version - 1]!);
      db.exec(`PRAGMA user_version = ${version}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
  return MIGRATIONS.length;
}
