-- The checks of 0003 for the codes 0004 adds: a stay closed as
-- `exit_missed`, orders cancelled or replaced by a new price, tokens of the
-- payment system and the app platform; and the new columns' ranges. Each
-- table's triggers are made again with all its conditions.

DROP TRIGGER IF EXISTS sessions_valid_insert;
DROP TRIGGER IF EXISTS sessions_valid_update;
CREATE TRIGGER sessions_valid_insert BEFORE INSERT ON sessions
WHEN NOT (NEW.billing IN ('monthly', 'temporary', 'free')) OR NOT (NEW.closed_by IS NULL OR NEW.closed_by IN ('robot', 'agent', 'reentry', 'exit_missed')) OR NOT (NEW.paid_amount >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: sessions (billing, closed_by, paid_amount)'); END;
CREATE TRIGGER sessions_valid_update BEFORE UPDATE ON sessions
WHEN NOT (NEW.billing IN ('monthly', 'temporary', 'free')) OR NOT (NEW.closed_by IS NULL OR NEW.closed_by IN ('robot', 'agent', 'reentry', 'exit_missed')) OR NOT (NEW.paid_amount >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: sessions (billing, closed_by, paid_amount)'); END;

DROP TRIGGER IF EXISTS orders_valid_insert;
DROP TRIGGER IF EXISTS orders_valid_update;
CREATE TRIGGER orders_valid_insert BEFORE INSERT ON orders
WHEN NOT (NEW.kind IN ('temporary', 'monthly_renewal')) OR NOT (NEW.status IN ('pending', 'paid', 'cancelled', 'replaced')) OR NOT (NEW.amount IS NULL OR NEW.amount >= 0) OR NOT (NEW.owed_included >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: orders (kind, status, amount, owed_included)'); END;
CREATE TRIGGER orders_valid_update BEFORE UPDATE ON orders
WHEN NOT (NEW.kind IN ('temporary', 'monthly_renewal')) OR NOT (NEW.status IN ('pending', 'paid', 'cancelled', 'replaced')) OR NOT (NEW.amount IS NULL OR NEW.amount >= 0) OR NOT (NEW.owed_included >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: orders (kind, status, amount, owed_included)'); END;

DROP TRIGGER IF EXISTS tokens_valid_insert;
DROP TRIGGER IF EXISTS tokens_valid_update;
CREATE TRIGGER tokens_valid_insert BEFORE INSERT ON tokens
WHEN NOT (NEW.role IN ('owner', 'robot', 'agent', 'payments', 'app'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: tokens (role)'); END;
CREATE TRIGGER tokens_valid_update BEFORE UPDATE ON tokens
WHEN NOT (NEW.role IN ('owner', 'robot', 'agent', 'payments', 'app'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: tokens (role)'); END;

DROP TRIGGER IF EXISTS lots_valid_insert;
DROP TRIGGER IF EXISTS lots_valid_update;
CREATE TRIGGER lots_valid_insert BEFORE INSERT ON lots
WHEN NOT (NEW.currency GLOB '[A-Z][A-Z][A-Z]') OR NOT (NEW.debounce_seconds IS NULL OR NEW.debounce_seconds >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: lots (currency, debounce_seconds)'); END;
CREATE TRIGGER lots_valid_update BEFORE UPDATE ON lots
WHEN NOT (NEW.currency GLOB '[A-Z][A-Z][A-Z]') OR NOT (NEW.debounce_seconds IS NULL OR NEW.debounce_seconds >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: lots (currency, debounce_seconds)'); END;

DROP TRIGGER IF EXISTS gates_valid_insert;
DROP TRIGGER IF EXISTS gates_valid_update;
CREATE TRIGGER gates_valid_insert BEFORE INSERT ON gates
WHEN NOT (NEW.direction IN ('entry', 'exit')) OR NOT (NEW.debounce_seconds IS NULL OR NEW.debounce_seconds >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: gates (direction, debounce_seconds)'); END;
CREATE TRIGGER gates_valid_update BEFORE UPDATE ON gates
WHEN NOT (NEW.direction IN ('entry', 'exit')) OR NOT (NEW.debounce_seconds IS NULL OR NEW.debounce_seconds >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: gates (direction, debounce_seconds)'); END;

DROP TRIGGER IF EXISTS parking_passes_valid_insert;
DROP TRIGGER IF EXISTS parking_passes_valid_update;
CREATE TRIGGER parking_passes_valid_insert BEFORE INSERT ON parking_passes
WHEN NOT (NEW.auto_pick IS NULL OR NEW.auto_pick IN (0, 1))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: parking_passes (auto_pick)'); END;
CREATE TRIGGER parking_passes_valid_update BEFORE UPDATE ON parking_passes
WHEN NOT (NEW.auto_pick IS NULL OR NEW.auto_pick IN (0, 1))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: parking_passes (auto_pick)'); END;
