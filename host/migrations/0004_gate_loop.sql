-- The gate loop (PRODUCT.md "The gate loop"): orders with a locked price,
-- the time they were priced at and an expiry; stays settled up to what was
-- paid; payments idempotent per lot by the payment system's id; debounce
-- windows per lot and gate; duplicate reads; the parker's own pick choice;
-- tokens for the payment system and the app platform, scoped to lots.

ALTER TABLE sessions ADD COLUMN settled_until BIGINT;

ALTER TABLE orders ADD COLUMN priced_at BIGINT;
ALTER TABLE orders ADD COLUMN expires_at BIGINT;
ALTER TABLE orders ADD COLUMN owed_included BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN payment_id TEXT;
UPDATE orders SET priced_at = created_at;
CREATE INDEX orders_plate ON orders (lot_id, plate, status);

-- `external_id` is the payment system's id, unique per lot; `request` the
-- request as first recorded and `answer` what it was answered, so that a
-- retry gets the same answer.
ALTER TABLE payments ADD COLUMN external_id TEXT;
ALTER TABLE payments ADD COLUMN request TEXT;
ALTER TABLE payments ADD COLUMN answer TEXT;
UPDATE payments SET external_id = SUBSTR(id, 5) WHERE id LIKE 'ext!_%' ESCAPE '!';
CREATE UNIQUE INDEX payments_external ON payments (lot_id, external_id);

ALTER TABLE lots ADD COLUMN payment_link TEXT;
ALTER TABLE lots ADD COLUMN debounce_seconds BIGINT;
ALTER TABLE gates ADD COLUMN debounce_seconds BIGINT;

ALTER TABLE decisions ADD COLUMN occurred_at BIGINT;
ALTER TABLE events ADD COLUMN duplicate_of TEXT;
CREATE INDEX sessions_exit ON sessions (lot_id, plate, exit_gate, exited_at);

-- 1: a pick at every entry, 0: the parker confirms in the app, null: the
-- lot's settings decide.
ALTER TABLE parking_passes ADD COLUMN auto_pick BIGINT;

ALTER TABLE tokens ADD COLUMN id TEXT;
ALTER TABLE tokens ADD COLUMN name TEXT;
CREATE UNIQUE INDEX tokens_id ON tokens (id);
CREATE TABLE token_lots (
    hash TEXT NOT NULL REFERENCES tokens (hash),
    lot_id TEXT NOT NULL REFERENCES lots (id),
    PRIMARY KEY (hash, lot_id)
);

-- Robots' events answered with the fallback while storage failed, written
-- once it works again.
CREATE TABLE storage_faults (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL,
    robot_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    gate_id TEXT NOT NULL,
    plate TEXT,
    occurred_at BIGINT NOT NULL,
    fault TEXT NOT NULL,
    answered_at BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX storage_faults_lot ON storage_faults (lot_id, answered_at);

-- Written by `/healthz` while writes fail, to see whether they work again.
CREATE TABLE health_probe (
    id BIGINT PRIMARY KEY,
    at BIGINT NOT NULL
);
