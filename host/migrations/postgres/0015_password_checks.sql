-- The login audit's kinds of 0012, with those 0014 brings: a wrong
-- password, a login from a new browser, a password set.

ALTER TABLE login_events DROP CONSTRAINT login_events_kind_valid;
ALTER TABLE login_events ADD CONSTRAINT login_events_kind_valid CHECK (kind IN ('code_sent', 'code_rate_limited', 'code_unknown_number', 'code_send_failed', 'code_wrong', 'code_expired', 'password_wrong', 'new_device', 'password_set', 'login', 'locked', 'lock_lifted', 'logout', 'phone_change_requested', 'phone_changed'));
