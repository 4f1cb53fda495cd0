-- Tokens may now be a merchant's (0017).

DROP TRIGGER IF EXISTS tokens_valid_insert;
DROP TRIGGER IF EXISTS tokens_valid_update;
CREATE TRIGGER tokens_valid_insert BEFORE INSERT ON tokens
WHEN NOT (NEW.role IN ('owner', 'robot', 'agent', 'payments', 'app', 'telephony', 'merchant'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: tokens (role)'); END;
CREATE TRIGGER tokens_valid_update BEFORE UPDATE ON tokens
WHEN NOT (NEW.role IN ('owner', 'robot', 'agent', 'payments', 'app', 'telephony', 'merchant'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: tokens (role)'); END;
