-- Engagement events, one row per client-generated id: the primary key is what makes storage
-- exactly-once under at-least-once delivery, even with several collectors on one database.
CREATE TABLE events (
    id           TEXT PRIMARY KEY NOT NULL,
    env_key      TEXT NOT NULL,
    type         TEXT NOT NULL,
    ts_client    BIGINT NOT NULL,
    ts_server    BIGINT NOT NULL,
    user_id      TEXT,
    anonymous_id TEXT,
    account_id   TEXT,
    campaign_id  TEXT,
    body         TEXT NOT NULL
);
CREATE INDEX events_campaign ON events (campaign_id, type);
CREATE INDEX events_user ON events (user_id, ts_client);
CREATE INDEX events_anonymous ON events (anonymous_id, ts_client);
CREATE INDEX events_account ON events (account_id, ts_client);
