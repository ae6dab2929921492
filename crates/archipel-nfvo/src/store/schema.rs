const V1: &str = "
CREATE TABLE nsds (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    vendor TEXT NOT NULL,
    version TEXT NOT NULL,
    onboarded INTEGER NOT NULL,
    content BLOB NOT NULL
);
CREATE TABLE sites (
    name TEXT PRIMARY KEY,
    pop_endpoint TEXT NOT NULL,
    username TEXT NOT NULL,
    password TEXT NOT NULL,
    agent_endpoint TEXT,
    added INTEGER NOT NULL
);
-- The record itself is JSON: it is read and written whole, by one operation at a time.
CREATE TABLE nsrs (
    id TEXT PRIMARY KEY,
    short_id TEXT NOT NULL UNIQUE,
    nsd_id TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE ops (
    id TEXT PRIMARY KEY,
    nsr_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    state TEXT NOT NULL,
    step TEXT,
    detail TEXT,
    error TEXT,
    started INTEGER NOT NULL,
    entered INTEGER NOT NULL
);
CREATE INDEX ops_by_nsr ON ops (nsr_id);
-- The intent log: a row is written before the object is made at the site, and removed only
-- once the site no longer holds it. The rows of an NSR are exactly what it holds at the sites.
CREATE TABLE resources (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    nsr_id TEXT NOT NULL,
    op_id TEXT NOT NULL,
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    pop_id TEXT,
    subnet TEXT,
    state TEXT NOT NULL,
    UNIQUE (site, kind, name)
);
CREATE INDEX resources_by_nsr ON resources (nsr_id);
";

/// Sites with agents: the agent's token and the tunnel MTU it reported. Resources gain the kinds
/// `extension` (an L2 extension, at its master site, named like its network, `pop_id` its global
/// id) and `member` (a site taking part in one, `pop_id` the extension's global id).
const V2: &str = "
ALTER TABLE sites ADD COLUMN agent_token TEXT;
ALTER TABLE sites ADD COLUMN tunnel_mtu INTEGER;
";

/// The API's users (argon2id PHC strings, one role each), their login tokens and their API keys
/// (SHA-256 of the token only). A user's tokens and keys go with the user.
const V3: &str = "
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    expires INTEGER NOT NULL
);
CREATE INDEX tokens_by_user ON tokens (user);
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    user TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    created INTEGER NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX api_keys_by_user ON api_keys (user);
";

/// SOL005 subscriptions: where notifications go (the callback URL) and which (the filter, JSON).
const V4: &str = "
CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    callback_uri TEXT NOT NULL,
    filter TEXT NOT NULL,
    created INTEGER NOT NULL
);
";

/// SOL005 VNF packages: made empty, then given their content (an Open Baton package's tar) once;
/// `name` is its `Metadata.yaml`'s.
const V5: &str = "
CREATE TABLE vnf_packages (
    id TEXT PRIMARY KEY,
    created INTEGER NOT NULL,
    name TEXT,
    content BLOB
);
";

/// SOL005's two-step NSD onboarding: an NSD is made empty (no name, no content) and given its
/// content later; it can be disabled, and keeps its client's `userDefinedData` (JSON). The table
/// is rebuilt because SQLite cannot drop a NOT NULL.
const V6: &str = "
CREATE TABLE nsds_v6 (
    id TEXT PRIMARY KEY,
    name TEXT,
    vendor TEXT,
    version TEXT,
    onboarded INTEGER NOT NULL,
    content BLOB,
    enabled INTEGER NOT NULL DEFAULT 1,
    user_data TEXT
);
INSERT INTO nsds_v6 (id, name, vendor, version, onboarded, content)
    SELECT id, name, vendor, version, onboarded, content FROM nsds;
DROP TABLE nsds;
ALTER TABLE nsds_v6 RENAME TO nsds;
";

/// Subscriptions of NSD management besides those of NS lifecycle management.
const V7: &str = "
ALTER TABLE subscriptions ADD COLUMN api TEXT NOT NULL DEFAULT 'nslcm';
";

/// NS performance management: PM jobs and thresholds (`kind` 'job' or 'threshold', each a JSON
/// body), and the reports of the jobs (JSON), dropped with their job.
const V8: &str = "
CREATE TABLE pm (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE pm_reports (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES pm (id) ON DELETE CASCADE,
    ready INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX pm_reports_of_job ON pm_reports (job_id, ready);
";

/// SOL005's operational state of a VNF package: an onboarded one is ENABLED until disabled.
const V9: &str = "
ALTER TABLE vnf_packages ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
";

/// The schema's versions, oldest first (the daemon kit applies those a database lacks).
pub(super) const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8, V9];
