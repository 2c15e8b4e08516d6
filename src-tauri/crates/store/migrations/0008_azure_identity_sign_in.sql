-- Two sign-in ways without any secret: Azure's managed identity and workload identity
-- federation (the identity comes from where the script runs; nothing is kept).
-- SQLite cannot change a CHECK constraint, so the table is rebuilt with its rows.
CREATE TABLE tenant_profiles_new (
    id          INTEGER PRIMARY KEY,
    tenant      TEXT NOT NULL,
    tenant_name TEXT,
    domain      TEXT,
    sign_in     TEXT NOT NULL CHECK (sign_in IN ('browser', 'deviceCode', 'clientSecret', 'clientCertificate', 'azureCli', 'managedIdentity', 'workloadIdentity')),
    client_id   TEXT NOT NULL,
    username    TEXT,
    scopes      TEXT,
    login_url   TEXT NOT NULL,
    graph_url   TEXT NOT NULL,
    bap_url     TEXT NOT NULL,
    last_used   TEXT NOT NULL,
    certificate TEXT,
    UNIQUE (tenant, client_id, sign_in)
);
INSERT INTO tenant_profiles_new SELECT id, tenant, tenant_name, domain, sign_in, client_id, username, scopes, login_url, graph_url, bap_url, last_used, certificate FROM tenant_profiles;
DROP TABLE tenant_profiles;
ALTER TABLE tenant_profiles_new RENAME TO tenant_profiles;
