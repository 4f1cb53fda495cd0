-- The service's records. One schema for SQLite and PostgreSQL: only TEXT,
-- BIGINT, DOUBLE PRECISION and BYTEA columns; instants are Unix milliseconds;
-- flags are 0/1; JSON documents are TEXT.

CREATE TABLE owners (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- API tokens, stored as the sha256 of the secret. A token is bound to one
-- role and scope: an owner to their lots, a robot to its gate, an agent to
-- the lots it serves.
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    owner_id TEXT NOT NULL REFERENCES owners (id),
    lot_id TEXT,
    robot_id TEXT,
    agent_id TEXT,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- Failed authentications by source address; a source that fails too often
-- is locked out for a while.
CREATE TABLE auth_failures (
    source TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    first_at BIGINT NOT NULL,
    locked_until BIGINT
);

CREATE TABLE lots (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES owners (id),
    name TEXT NOT NULL,
    timezone TEXT NOT NULL,
    currency TEXT NOT NULL,
    emergency_contact TEXT,
    active_version BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX lots_owner ON lots (owner_id);

CREATE TABLE gates (
    lot_id TEXT NOT NULL REFERENCES lots (id),
    id TEXT NOT NULL,
    direction TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (lot_id, id)
);

CREATE TABLE robots (
    lot_id TEXT NOT NULL,
    id TEXT NOT NULL,
    gate_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (lot_id, id),
    FOREIGN KEY (lot_id, gate_id) REFERENCES gates (lot_id, id)
);

-- Policy modules, content-addressed; owners see the modules they uploaded.
CREATE TABLE modules (
    digest TEXT PRIMARY KEY,
    bytes BYTEA NOT NULL,
    size BIGINT NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    sdk_version TEXT NOT NULL,
    interface_version TEXT NOT NULL,
    settings_schema TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE module_owners (
    digest TEXT NOT NULL REFERENCES modules (digest),
    owner_id TEXT NOT NULL REFERENCES owners (id),
    uploaded_at BIGINT NOT NULL,
    PRIMARY KEY (digest, owner_id)
);

-- Every policy version of a lot: a module and its settings.
CREATE TABLE policy_versions (
    lot_id TEXT NOT NULL REFERENCES lots (id),
    version BIGINT NOT NULL,
    module_digest TEXT NOT NULL REFERENCES modules (digest),
    settings TEXT NOT NULL,
    note TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (lot_id, version)
);

-- Every activation, rollbacks included.
CREATE TABLE policy_activations (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL REFERENCES lots (id),
    version BIGINT NOT NULL,
    activated_at BIGINT NOT NULL,
    activated_by TEXT NOT NULL
);
CREATE INDEX policy_activations_lot ON policy_activations (lot_id, activated_at);

-- Monthly-pass accounts (a household, a company) and their passes.
CREATE TABLE accounts (
    lot_id TEXT NOT NULL REFERENCES lots (id),
    id TEXT NOT NULL,
    spaces BIGINT NOT NULL,
    holder TEXT,
    phone TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (lot_id, id)
);
CREATE INDEX accounts_phone ON accounts (phone);

CREATE TABLE monthly_passes (
    lot_id TEXT NOT NULL,
    plate TEXT NOT NULL,
    account_id TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (lot_id, plate),
    FOREIGN KEY (lot_id, account_id) REFERENCES accounts (lot_id, id)
);
CREATE INDEX monthly_passes_account ON monthly_passes (lot_id, account_id);

CREATE TABLE parking_passes (
    lot_id TEXT NOT NULL REFERENCES lots (id),
    plate TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    PRIMARY KEY (lot_id, plate)
);

-- Stays. At most one open stay per plate and lot.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL REFERENCES lots (id),
    plate TEXT NOT NULL,
    billing TEXT NOT NULL,
    entered_at BIGINT NOT NULL,
    entry_gate TEXT,
    entry_decision TEXT,
    exited_at BIGINT,
    exit_gate TEXT,
    exit_decision TEXT,
    closed_by TEXT,
    paid_amount BIGINT NOT NULL,
    paid_at BIGINT,
    pick_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX sessions_open ON sessions (lot_id, plate) WHERE exited_at IS NULL;
CREATE INDEX sessions_lot ON sessions (lot_id, exited_at);
CREATE INDEX sessions_plate ON sessions (lot_id, plate, entered_at);

CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL REFERENCES lots (id),
    session_id TEXT,
    plate TEXT,
    kind TEXT NOT NULL,
    amount BIGINT,
    status TEXT NOT NULL,
    decision_id TEXT,
    created_at BIGINT NOT NULL,
    settled_at BIGINT
);
CREATE INDEX orders_session ON orders (session_id, status);

CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL REFERENCES lots (id),
    session_id TEXT,
    order_id TEXT,
    plate TEXT,
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    paid_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX payments_plate ON payments (lot_id, plate, paid_at);

-- App parking-pass picks: sessions paid automatically at exit.
CREATE TABLE picks (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL REFERENCES lots (id),
    session_id TEXT NOT NULL REFERENCES sessions (id),
    plate TEXT NOT NULL,
    status TEXT NOT NULL,
    amount BIGINT,
    created_at BIGINT NOT NULL,
    charged_at BIGINT
);

-- Every decision, with the input the policy saw.
CREATE TABLE decisions (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL REFERENCES lots (id),
    gate_id TEXT NOT NULL,
    direction TEXT NOT NULL,
    plate TEXT,
    source TEXT NOT NULL,
    robot_id TEXT,
    event_id TEXT,
    policy_version BIGINT,
    module_digest TEXT,
    gate TEXT NOT NULL,
    reason TEXT NOT NULL,
    decision TEXT NOT NULL,
    input TEXT NOT NULL,
    fault_kind TEXT,
    fault TEXT,
    evaluation_us BIGINT NOT NULL,
    supersedes TEXT,
    agent_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX decisions_lot ON decisions (lot_id, created_at);
CREATE INDEX decisions_gate ON decisions (lot_id, gate_id, created_at);

-- Plate events as robots sent them; a retry of the same event id gets the
-- same decision back.
CREATE TABLE events (
    lot_id TEXT NOT NULL,
    robot_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    gate_id TEXT NOT NULL,
    plate TEXT,
    occurred_at BIGINT NOT NULL,
    confidence DOUBLE PRECISION,
    payload_hash TEXT NOT NULL,
    decision_id TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (lot_id, robot_id, event_id)
);

-- Cases handed to the remote agents.
CREATE TABLE escalations (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL REFERENCES lots (id),
    gate_id TEXT NOT NULL,
    decision_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    resolved_at BIGINT,
    resolution TEXT
);
CREATE INDEX escalations_open ON escalations (lot_id, resolved_at);
