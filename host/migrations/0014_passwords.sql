-- Passwords and the browsers people log in from (seed 002): a person may
-- set a password (an argon2id PHC string), but a browser not seen before
-- always needs a code, even with the right password. A browser is known by
-- the hash of its `bg_device` cookie once it logged in with a code.

ALTER TABLE people ADD COLUMN password_hash TEXT;
ALTER TABLE people ADD COLUMN password_set_at BIGINT;

CREATE TABLE person_devices (
    person_id TEXT NOT NULL REFERENCES people (id),
    device_hash TEXT NOT NULL,
    user_agent TEXT,
    first_seen_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    PRIMARY KEY (person_id, device_hash)
);
