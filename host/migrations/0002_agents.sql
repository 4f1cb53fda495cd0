-- Remote agents: who they are, which lots they serve, and everything they do
-- (openings with evidence, visitor registrations, commands to robots).

CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES owners (id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE agent_lots (
    agent_id TEXT NOT NULL REFERENCES agents (id),
    lot_id TEXT NOT NULL REFERENCES lots (id),
    PRIMARY KEY (agent_id, lot_id)
);

-- Photos (entry photos from robots, ID and scene photos from agents), stored
-- by content hash per lot.
CREATE TABLE photos (
    lot_id TEXT NOT NULL REFERENCES lots (id),
    digest TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (lot_id, digest)
);

-- Every gate opened by a person: normal, abnormal (with reason, note and
-- evidence), for a registered visitor, after a plate correction.
CREATE TABLE openings (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL REFERENCES lots (id),
    gate_id TEXT NOT NULL,
    direction TEXT NOT NULL,
    plate TEXT,
    kind TEXT NOT NULL,
    reason TEXT,
    note TEXT,
    id_photos TEXT NOT NULL,
    scene_photos TEXT NOT NULL,
    decision_id TEXT NOT NULL,
    opened_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX openings_lot ON openings (lot_id, created_at);

CREATE TABLE visitors (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL REFERENCES lots (id),
    gate_id TEXT NOT NULL,
    plate TEXT,
    phone TEXT NOT NULL,
    reason TEXT NOT NULL,
    decision_id TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- What robots are told to do or show, in order, per gate.
CREATE TABLE robot_commands (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL REFERENCES lots (id),
    gate_id TEXT NOT NULL,
    command TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX robot_commands_gate ON robot_commands (lot_id, gate_id, id);

-- Stays closed by a person at a stated time (the exit was not recognised).
CREATE TABLE closures (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL REFERENCES lots (id),
    session_id TEXT NOT NULL REFERENCES sessions (id),
    left_at BIGINT NOT NULL,
    note TEXT,
    total BIGINT NOT NULL,
    due BIGINT NOT NULL,
    charged BIGINT NOT NULL,
    order_id TEXT,
    closed_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX closures_lot ON closures (lot_id, created_at);

ALTER TABLE sessions ADD COLUMN entry_photo TEXT;
ALTER TABLE events ADD COLUMN photo TEXT;
