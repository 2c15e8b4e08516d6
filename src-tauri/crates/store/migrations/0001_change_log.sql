-- One row per change Guestpass made (or tried to make) in a tenant.
-- `hash` = SHA-256 over the row's content and the previous row's hash, so an edited,
-- deleted or reordered row breaks the chain. `chain_head` pins the newest row so that
-- removing rows from the end is detected too.
CREATE TABLE change_log (
    seq         INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    tenant      TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    result      TEXT    NOT NULL CHECK (result IN ('succeeded', 'failed', 'unchanged')),
    error_code  TEXT,
    detail      TEXT,
    request_id  TEXT,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);
CREATE INDEX change_log_at ON change_log (at);
CREATE INDEX change_log_target ON change_log (target);

CREATE TABLE chain_head (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq  INTEGER NOT NULL,
    last_hash TEXT    NOT NULL
);
