-- What real tariffs price by: the vehicle's class (read by the camera at
-- entry, or registered with the pass) and the discounts a stay is granted
-- (a merchant's validation, a coupon). Merchants get tokens of their own.

ALTER TABLE sessions ADD COLUMN vehicle_class TEXT;
ALTER TABLE monthly_passes ADD COLUMN vehicle_class TEXT;

CREATE TABLE stay_discounts (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL REFERENCES lots (id),
    session_id TEXT NOT NULL REFERENCES sessions (id),
    plate TEXT NOT NULL,
    -- Who granted it, e.g. `mall-cinema`.
    source TEXT NOT NULL,
    -- The merchant's own reference (a receipt number): granting the same
    -- reference again is the same discount.
    reference TEXT NOT NULL,
    minutes BIGINT,
    amount BIGINT,
    granted_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CHECK ((minutes IS NULL) <> (amount IS NULL)),
    CHECK (minutes IS NULL OR (minutes >= 1 AND minutes <= 10080)),
    CHECK (amount IS NULL OR amount >= 1),
    UNIQUE (session_id, source, reference)
);
CREATE INDEX stay_discounts_session ON stay_discounts (session_id, created_at);
