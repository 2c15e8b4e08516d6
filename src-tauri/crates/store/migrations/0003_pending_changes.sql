-- A change about to be sent to Microsoft, written before the call and removed (in the same
-- transaction that appends its outcome to the change log) once the answer is recorded. A row
-- left here means Guestpass stopped mid-call: the next start records it as interrupted, so no
-- change ever goes unrecorded.
CREATE TABLE pending_changes (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    tenant   TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT NOT NULL,
    attempt  TEXT
);
