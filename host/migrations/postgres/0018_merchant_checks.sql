-- Tokens may now be a merchant's (0017).

ALTER TABLE tokens DROP CONSTRAINT tokens_role_valid;
ALTER TABLE tokens ADD CONSTRAINT tokens_role_valid CHECK (role IN ('owner', 'robot', 'agent', 'payments', 'app', 'telephony', 'merchant'));
