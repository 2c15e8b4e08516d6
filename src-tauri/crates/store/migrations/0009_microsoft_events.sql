-- Events copied from Microsoft's logs (directory audits, sign-ins) so evidence outlives
-- Microsoft's 7 or 30 days. Each event is kept once, under Microsoft's own id; they sit
-- beside the change log, not in its hash chain: their proof is Microsoft's id.
CREATE TABLE microsoft_events (
    id           TEXT PRIMARY KEY,
    tenant       TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('directoryAudit', 'signIn')),
    at           TEXT NOT NULL,
    activity     TEXT NOT NULL,
    user_id      TEXT,
    user_email   TEXT,
    initiated_by TEXT,
    result       TEXT,
    raw          TEXT NOT NULL,
    pulled_at    TEXT NOT NULL
);
CREATE INDEX microsoft_events_by_user ON microsoft_events (tenant, user_id, at);
CREATE INDEX microsoft_events_by_time ON microsoft_events (tenant, at);

-- How far back each log has been read completely, per tenant: the next pull starts there.
CREATE TABLE microsoft_event_pulls (
    tenant         TEXT NOT NULL,
    source         TEXT NOT NULL,
    complete_until TEXT NOT NULL,
    PRIMARY KEY (tenant, source)
);
