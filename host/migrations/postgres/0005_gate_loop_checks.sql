-- The checks of 0003 for the codes 0004 adds: a stay closed as
-- `exit_missed`, orders cancelled or replaced by a new price, tokens of the
-- payment system and the app platform; and the new columns' ranges.

ALTER TABLE sessions DROP CONSTRAINT sessions_closed_by_valid;
ALTER TABLE sessions ADD CONSTRAINT sessions_closed_by_valid CHECK (closed_by IS NULL OR closed_by IN ('robot', 'agent', 'reentry', 'exit_missed'));
ALTER TABLE orders DROP CONSTRAINT orders_status_valid;
ALTER TABLE orders ADD CONSTRAINT orders_status_valid CHECK (status IN ('pending', 'paid', 'cancelled', 'replaced'));
ALTER TABLE orders ADD CONSTRAINT orders_owed_included_valid CHECK (owed_included >= 0);
ALTER TABLE tokens DROP CONSTRAINT tokens_role_valid;
ALTER TABLE tokens ADD CONSTRAINT tokens_role_valid CHECK (role IN ('owner', 'robot', 'agent', 'payments', 'app'));
ALTER TABLE lots ADD CONSTRAINT lots_debounce_seconds_valid CHECK (debounce_seconds IS NULL OR debounce_seconds >= 0);
ALTER TABLE gates ADD CONSTRAINT gates_debounce_seconds_valid CHECK (debounce_seconds IS NULL OR debounce_seconds >= 0);
ALTER TABLE parking_passes ADD CONSTRAINT parking_passes_auto_pick_valid CHECK (auto_pick IS NULL OR auto_pick IN (0, 1));
