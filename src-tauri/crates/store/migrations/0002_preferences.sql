-- Small per-tenant preferences the admin sets once (e.g. the default usage location).
-- Never secrets: those live in the OS keychain.
CREATE TABLE preferences (
    tenant TEXT NOT NULL,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (tenant, key)
);
