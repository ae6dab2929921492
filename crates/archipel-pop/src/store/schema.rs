const V1: &str = "
CREATE TABLE networks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    cidr TEXT NOT NULL,
    gateway TEXT NOT NULL,
    pools TEXT NOT NULL,
    mtu INTEGER,
    runtime_id TEXT NOT NULL,
    bridge TEXT NOT NULL,
    netns TEXT,
    managed INTEGER NOT NULL
);
CREATE TABLE containers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    image TEXT NOT NULL,
    flavour TEXT NOT NULL,
    created INTEGER NOT NULL,
    started INTEGER,
    state TEXT NOT NULL,
    extended_status TEXT NOT NULL,
    exit_code INTEGER,
    runtime_id TEXT
);
CREATE TABLE endpoints (
    container TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    network TEXT NOT NULL,
    network_id TEXT NOT NULL,
    address TEXT NOT NULL,
    mac TEXT,
    PRIMARY KEY (container, network)
);
-- The addresses held now: the primary key makes a double booking fail in SQLite too.
CREATE TABLE allocations (
    network_id TEXT NOT NULL,
    address TEXT NOT NULL,
    container TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    PRIMARY KEY (network_id, address)
);
CREATE TABLE metadata (
    container TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (container, key)
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    expires INTEGER NOT NULL
);
";

/// The schema's versions, oldest first (the daemon kit applies those a database lacks).
pub(super) const MIGRATIONS: &[&str] = &[V1];
