-- Codes asked for by one source address, counted per hour against
-- `login_codes_per_source_hour`.
CREATE INDEX login_events_source ON login_events (source, kind, created_at);
