-- How to reach each tenant: the way to sign in, the app (client id), the hosts, and who signed
-- in. Secrets (refresh tokens, client secrets) are never here: they live in the OS keychain,
-- filed under the tenant, app and way of signing in.
CREATE TABLE tenant_profiles (
    id          INTEGER PRIMARY KEY,
    tenant      TEXT NOT NULL,
    tenant_name TEXT,
    domain      TEXT,
    sign_in     TEXT NOT NULL CHECK (sign_in IN ('browser', 'deviceCode', 'clientSecret')),
    client_id   TEXT NOT NULL,
    username    TEXT,
    scopes      TEXT,
    login_url   TEXT NOT NULL,
    graph_url   TEXT NOT NULL,
    bap_url     TEXT NOT NULL,
    last_used   TEXT NOT NULL,
    UNIQUE (tenant, client_id, sign_in)
);
