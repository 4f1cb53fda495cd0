-- People with accounts (seed 002): owners and agents log in to the console
-- with their phone number and a one-time code. Codes are stored hashed,
-- single use, and expire; wrong codes count per account and lock it; every
-- login, failure, lock and lift is recorded. API tokens stay for machines.

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES owners (id),
    role TEXT NOT NULL,
    agent_id TEXT REFERENCES agents (id),
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    pending_phone TEXT,
    pending_phone_reason TEXT,
    pending_phone_by TEXT,
    locale TEXT NOT NULL,
    failures BIGINT NOT NULL,
    locked_until BIGINT,
    disabled_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX people_phone ON people (phone);
CREATE INDEX people_owner ON people (owner_id);

CREATE TABLE login_codes (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id),
    phone TEXT NOT NULL,
    purpose TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    source TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    superseded_at BIGINT
);
CREATE INDEX login_codes_person ON login_codes (person_id, sent_at);

CREATE TABLE console_sessions (
    hash TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id),
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX console_sessions_person ON console_sessions (person_id);

CREATE TABLE login_events (
    id TEXT PRIMARY KEY,
    owner_id TEXT,
    person_id TEXT,
    phone TEXT,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    done_by TEXT,
    detail TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX login_events_owner ON login_events (owner_id, created_at);
