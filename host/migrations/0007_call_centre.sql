-- The call centre and the devices (seed 001 §2.1, §2.3, §2.4): robots
-- with a name, factory code and SIM number that can be retired; their
-- cameras and the captures they upload; their heartbeats; agents' seats;
-- cases keyed to the phone call, with everything done on them; the
-- telephony system's calls; lots' capacity and place; the log of every
-- lookup of a person's data; monthly-pass applications in their queue;
-- commissioning events kept apart.

ALTER TABLE robots ADD COLUMN name TEXT;
ALTER TABLE robots ADD COLUMN factory_code TEXT;
ALTER TABLE robots ADD COLUMN phone TEXT;
ALTER TABLE robots ADD COLUMN retired_at BIGINT;
CREATE INDEX robots_phone ON robots (phone);
CREATE INDEX robots_gate ON robots (lot_id, gate_id);

-- The environment camera that films a robot's gate, and its ID camera.
CREATE TABLE cameras (
    lot_id TEXT NOT NULL REFERENCES lots (id),
    id TEXT NOT NULL,
    robot_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    vendor_id TEXT,
    snapshot_url TEXT,
    stream_url TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (lot_id, id),
    FOREIGN KEY (lot_id, robot_id) REFERENCES robots (lot_id, id)
);
CREATE INDEX cameras_robot ON cameras (lot_id, robot_id);

-- Photos a robot took at its gate: scene snapshots and ID-camera captures.
CREATE TABLE captures (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL REFERENCES lots (id),
    gate_id TEXT NOT NULL,
    robot_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    digest TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX captures_gate ON captures (lot_id, gate_id, created_at);

-- Each robot's latest heartbeat: what the kiosk says of its devices.
CREATE TABLE robot_health (
    lot_id TEXT NOT NULL,
    robot_id TEXT NOT NULL,
    gate_id TEXT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    power TEXT NOT NULL,
    battery_percent BIGINT,
    lpr_camera TEXT NOT NULL,
    environment_camera TEXT NOT NULL,
    barrier TEXT NOT NULL,
    display TEXT NOT NULL,
    app_version TEXT,
    PRIMARY KEY (lot_id, robot_id)
);
CREATE INDEX robot_health_gate ON robot_health (lot_id, gate_id, heartbeat_at);

-- The seat (the call-centre extension) each agent sits at, per owner.
CREATE TABLE seats (
    owner_id TEXT NOT NULL REFERENCES owners (id),
    seat TEXT NOT NULL,
    agent_id TEXT NOT NULL REFERENCES agents (id),
    bound_at BIGINT NOT NULL,
    PRIMARY KEY (owner_id, seat)
);
CREATE UNIQUE INDEX seats_agent ON seats (agent_id);

-- A case: a gate needing a person, from the robot's call button, an
-- escalating decision or a phone call, until an agent closes it (关单).
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL REFERENCES lots (id),
    gate_id TEXT NOT NULL,
    robot_id TEXT,
    opened_by TEXT NOT NULL,
    test BIGINT NOT NULL,
    decision_id TEXT,
    plate TEXT,
    caller TEXT,
    seat TEXT,
    agent_id TEXT,
    opened_at BIGINT NOT NULL,
    answered_at BIGINT,
    closed_at BIGINT,
    outcome TEXT,
    note TEXT,
    closed_by TEXT
);
CREATE UNIQUE INDEX cases_open ON cases (lot_id, gate_id, test) WHERE closed_at IS NULL;
CREATE INDEX cases_lot ON cases (lot_id, opened_at);
CREATE INDEX cases_gate ON cases (lot_id, gate_id, closed_at);

-- Everything done on a case, in order.
CREATE TABLE case_acts (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL,
    ref_id TEXT,
    detail TEXT,
    done_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX case_acts_case ON case_acts (case_id, id);

-- Calls the telephony system reported: who called which seat, and what the
-- caller's number resolved to.
CREATE TABLE calls (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES owners (id),
    external_id TEXT,
    caller TEXT NOT NULL,
    seat TEXT NOT NULL,
    agent_id TEXT,
    resolved TEXT NOT NULL,
    lot_id TEXT,
    case_id TEXT,
    reported_by TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX calls_external ON calls (owner_id, external_id);
CREATE INDEX calls_owner ON calls (owner_id, received_at);

ALTER TABLE lots ADD COLUMN capacity BIGINT;
ALTER TABLE lots ADD COLUMN address TEXT;
ALTER TABLE lots ADD COLUMN latitude DOUBLE PRECISION;
ALTER TABLE lots ADD COLUMN longitude DOUBLE PRECISION;

-- Every look at a person's data by phone or plate: who, when, what.
CREATE TABLE lookups (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES owners (id),
    lot_id TEXT,
    looked_by TEXT NOT NULL,
    kind TEXT NOT NULL,
    query TEXT NOT NULL,
    results BIGINT NOT NULL,
    case_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX lookups_owner ON lookups (owner_id, created_at);

CREATE INDEX visitors_phone ON visitors (lot_id, phone);

-- Monthly-pass applications and renewals, waiting in order per lot.
CREATE TABLE pass_applications (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL REFERENCES lots (id),
    plate TEXT NOT NULL,
    kind TEXT NOT NULL,
    account_id TEXT,
    holder TEXT,
    phone TEXT,
    months BIGINT NOT NULL,
    note TEXT,
    status TEXT NOT NULL,
    reason TEXT,
    applied_by TEXT NOT NULL,
    applied_at BIGINT NOT NULL,
    decided_by TEXT,
    decided_at BIGINT,
    valid_until TEXT,
    order_id TEXT
);
CREATE INDEX pass_applications_lot ON pass_applications (lot_id, status, applied_at);
CREATE INDEX pass_applications_plate ON pass_applications (lot_id, plate);

-- Commissioning (seed 001 §2.1.3): events a robot sends as tests, decided
-- by the policy and kept apart; they create nothing.
CREATE TABLE test_events (
    id TEXT PRIMARY KEY,
    lot_id TEXT NOT NULL,
    robot_id TEXT NOT NULL,
    gate_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    plate TEXT,
    occurred_at BIGINT NOT NULL,
    gate TEXT NOT NULL,
    reason TEXT NOT NULL,
    decision TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX test_events_robot ON test_events (lot_id, robot_id, created_at);
