-- Campaigns as versioned documents. A campaign row holds what people decide (its state and
-- which version is live); every publish adds an immutable row to campaign_versions with the
-- full TOML source exactly as given. Versions are never updated or deleted.
CREATE TABLE campaigns (
    id           TEXT PRIMARY KEY NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('draft', 'published', 'paused', 'archived')),
    live_version BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE TABLE campaign_versions (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    version     BIGINT NOT NULL CHECK (version >= 1),
    source      TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    author      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    note        TEXT NOT NULL,
    PRIMARY KEY (campaign_id, version)
);
-- One row, incremented in the same transaction as every change to campaigns: what each
-- collector polls to learn, cheaply, that its catalog is stale.
CREATE TABLE catalog_revision (
    id       INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO catalog_revision (id, revision) VALUES (1, 0);
