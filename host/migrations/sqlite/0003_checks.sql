-- What the service stores, held to the values it writes: codes from their
-- sets, amounts that are not negative, dates and currencies in their
-- shapes. A value outside them is refused by the database too, so a
-- record is never guessed at when it is read. SQLite cannot add a CHECK
-- to a table that exists, so the same conditions are triggers here.

CREATE TRIGGER tokens_valid_insert BEFORE INSERT ON tokens
WHEN NOT (NEW.role IN ('owner', 'robot', 'agent'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: tokens (role)'); END;
CREATE TRIGGER tokens_valid_update BEFORE UPDATE ON tokens
WHEN NOT (NEW.role IN ('owner', 'robot', 'agent'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: tokens (role)'); END;

CREATE TRIGGER lots_valid_insert BEFORE INSERT ON lots
WHEN NOT (NEW.currency GLOB '[A-Z][A-Z][A-Z]')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: lots (currency)'); END;
CREATE TRIGGER lots_valid_update BEFORE UPDATE ON lots
WHEN NOT (NEW.currency GLOB '[A-Z][A-Z][A-Z]')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: lots (currency)'); END;

CREATE TRIGGER gates_valid_insert BEFORE INSERT ON gates
WHEN NOT (NEW.direction IN ('entry', 'exit'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: gates (direction)'); END;
CREATE TRIGGER gates_valid_update BEFORE UPDATE ON gates
WHEN NOT (NEW.direction IN ('entry', 'exit'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: gates (direction)'); END;

CREATE TRIGGER accounts_valid_insert BEFORE INSERT ON accounts
WHEN NOT (NEW.spaces >= 1)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: accounts (spaces)'); END;
CREATE TRIGGER accounts_valid_update BEFORE UPDATE ON accounts
WHEN NOT (NEW.spaces >= 1)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: accounts (spaces)'); END;

CREATE TRIGGER monthly_passes_valid_insert BEFORE INSERT ON monthly_passes
WHEN NOT (NEW.valid_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: monthly_passes (valid_until)'); END;
CREATE TRIGGER monthly_passes_valid_update BEFORE UPDATE ON monthly_passes
WHEN NOT (NEW.valid_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: monthly_passes (valid_until)'); END;

CREATE TRIGGER sessions_valid_insert BEFORE INSERT ON sessions
WHEN NOT (NEW.billing IN ('monthly', 'temporary', 'free')) OR NOT (NEW.closed_by IS NULL OR NEW.closed_by IN ('robot', 'agent', 'reentry')) OR NOT (NEW.paid_amount >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: sessions (billing, closed_by, paid_amount)'); END;
CREATE TRIGGER sessions_valid_update BEFORE UPDATE ON sessions
WHEN NOT (NEW.billing IN ('monthly', 'temporary', 'free')) OR NOT (NEW.closed_by IS NULL OR NEW.closed_by IN ('robot', 'agent', 'reentry')) OR NOT (NEW.paid_amount >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: sessions (billing, closed_by, paid_amount)'); END;

CREATE TRIGGER orders_valid_insert BEFORE INSERT ON orders
WHEN NOT (NEW.kind IN ('temporary', 'monthly_renewal')) OR NOT (NEW.status IN ('pending', 'paid')) OR NOT (NEW.amount IS NULL OR NEW.amount >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: orders (kind, status, amount)'); END;
CREATE TRIGGER orders_valid_update BEFORE UPDATE ON orders
WHEN NOT (NEW.kind IN ('temporary', 'monthly_renewal')) OR NOT (NEW.status IN ('pending', 'paid')) OR NOT (NEW.amount IS NULL OR NEW.amount >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: orders (kind, status, amount)'); END;

CREATE TRIGGER payments_valid_insert BEFORE INSERT ON payments
WHEN NOT (NEW.kind IN ('temporary', 'monthly_renewal', 'pick')) OR NOT (NEW.amount > 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: payments (kind, amount)'); END;
CREATE TRIGGER payments_valid_update BEFORE UPDATE ON payments
WHEN NOT (NEW.kind IN ('temporary', 'monthly_renewal', 'pick')) OR NOT (NEW.amount > 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: payments (kind, amount)'); END;

CREATE TRIGGER picks_valid_insert BEFORE INSERT ON picks
WHEN NOT (NEW.status IN ('open', 'charged')) OR NOT (NEW.amount IS NULL OR NEW.amount >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: picks (status, amount)'); END;
CREATE TRIGGER picks_valid_update BEFORE UPDATE ON picks
WHEN NOT (NEW.status IN ('open', 'charged')) OR NOT (NEW.amount IS NULL OR NEW.amount >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: picks (status, amount)'); END;

CREATE TRIGGER decisions_valid_insert BEFORE INSERT ON decisions
WHEN NOT (NEW.direction IN ('entry', 'exit')) OR NOT (NEW.source IN ('robot', 'agent')) OR NOT (NEW.gate IN ('open', 'hold')) OR NOT (NEW.evaluation_us >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: decisions (direction, source, gate, evaluation_us)'); END;
CREATE TRIGGER decisions_valid_update BEFORE UPDATE ON decisions
WHEN NOT (NEW.direction IN ('entry', 'exit')) OR NOT (NEW.source IN ('robot', 'agent')) OR NOT (NEW.gate IN ('open', 'hold')) OR NOT (NEW.evaluation_us >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: decisions (direction, source, gate, evaluation_us)'); END;

CREATE TRIGGER openings_valid_insert BEFORE INSERT ON openings
WHEN NOT (NEW.kind IN ('normal', 'abnormal', 'visitor', 'correction')) OR NOT (NEW.direction IN ('entry', 'exit'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: openings (kind, direction)'); END;
CREATE TRIGGER openings_valid_update BEFORE UPDATE ON openings
WHEN NOT (NEW.kind IN ('normal', 'abnormal', 'visitor', 'correction')) OR NOT (NEW.direction IN ('entry', 'exit'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: openings (kind, direction)'); END;

CREATE TRIGGER photos_valid_insert BEFORE INSERT ON photos
WHEN NOT (NEW.content_type IN ('image/jpeg', 'image/png')) OR NOT (NEW.size >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: photos (content_type, size)'); END;
CREATE TRIGGER photos_valid_update BEFORE UPDATE ON photos
WHEN NOT (NEW.content_type IN ('image/jpeg', 'image/png')) OR NOT (NEW.size >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: photos (content_type, size)'); END;

CREATE TRIGGER closures_valid_insert BEFORE INSERT ON closures
WHEN NOT (NEW.total >= 0 AND NEW.due >= 0 AND NEW.charged >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: closures (amounts)'); END;
CREATE TRIGGER closures_valid_update BEFORE UPDATE ON closures
WHEN NOT (NEW.total >= 0 AND NEW.due >= 0 AND NEW.charged >= 0)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: closures (amounts)'); END;
