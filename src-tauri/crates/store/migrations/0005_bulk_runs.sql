-- A bulk run: a guest list being onboarded, persisted so it survives any stop. Each row's
-- steps are written here before the run starts; a step's state moves pending -> running ->
-- done | unchanged | failed (or skipped after an earlier failure). A step found `running` on
-- the next start was interrupted mid-call: the engine reads the tenant before repeating it.
CREATE TABLE bulk_runs (
    id          INTEGER PRIMARY KEY,
    tenant      TEXT NOT NULL,
    actor       TEXT NOT NULL,
    source      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('running', 'paused', 'cancelled', 'finished')),
    finished_at TEXT
);

CREATE TABLE bulk_rows (
    run_id   INTEGER NOT NULL REFERENCES bulk_runs(id),
    row_no   INTEGER NOT NULL,
    email    TEXT NOT NULL,
    input    TEXT NOT NULL,
    user_id  TEXT,
    PRIMARY KEY (run_id, row_no)
);

CREATE TABLE bulk_steps (
    run_id      INTEGER NOT NULL,
    row_no      INTEGER NOT NULL,
    step_no     INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    target      TEXT,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'unchanged', 'failed', 'skipped')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    summary     TEXT,
    request_id  TEXT,
    change_seq  INTEGER,
    updated_at  TEXT,
    PRIMARY KEY (run_id, row_no, step_no),
    FOREIGN KEY (run_id, row_no) REFERENCES bulk_rows(run_id, row_no)
);

CREATE INDEX bulk_steps_by_change ON bulk_steps(change_seq) WHERE change_seq IS NOT NULL;
