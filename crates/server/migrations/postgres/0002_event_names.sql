-- The name of `track` events (and the path of `page` events) as a column, so that conversion
-- attribution finds a campaign's goal events by index rather than by reading every body.
-- Rows stored before this migration get theirs from the stored JSON.
ALTER TABLE events ADD COLUMN name TEXT;
UPDATE events SET name = (body::jsonb) ->> 'name' WHERE type IN ('track', 'page');
CREATE INDEX events_name ON events (type, name, ts_client);
