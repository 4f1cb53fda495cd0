-- The login audit's kinds of 0012, with those 0014 brings: a wrong
-- password, a login from a new browser, a password set.

DROP TRIGGER login_events_valid_insert;
DROP TRIGGER login_events_valid_update;
CREATE TRIGGER login_events_valid_insert BEFORE INSERT ON login_events
WHEN NOT (NEW.kind IN ('code_sent', 'code_rate_limited', 'code_unknown_number', 'code_send_failed', 'code_wrong', 'code_expired', 'password_wrong', 'new_device', 'password_set', 'login', 'locked', 'lock_lifted', 'logout', 'phone_change_requested', 'phone_changed'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: login_events (kind)'); END;
CREATE TRIGGER login_events_valid_update BEFORE UPDATE ON login_events
WHEN NOT (NEW.kind IN ('code_sent', 'code_rate_limited', 'code_unknown_number', 'code_send_failed', 'code_wrong', 'code_expired', 'password_wrong', 'new_device', 'password_set', 'login', 'locked', 'lock_lifted', 'logout', 'phone_change_requested', 'phone_changed'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: login_events (kind)'); END;
