-- Unplated vehicles (seed 001 §2.2.1 scene 1, §2.2.2 scene 4): a vehicle
-- without a readable plate that scans the entry code gets a stay keyed by
-- a ticket (the stay's plate is the ticket, e.g. `无牌K7Q2M4`), with the
-- driver's phone when given; scanning the exit code with the ticket finds
-- the stay.
CREATE TABLE tickets (
    lot_id TEXT NOT NULL REFERENCES lots (id),
    id TEXT NOT NULL,
    phone TEXT,
    entry_gate TEXT NOT NULL,
    entry_decision TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (lot_id, id)
);
CREATE INDEX tickets_phone ON tickets (lot_id, phone);
