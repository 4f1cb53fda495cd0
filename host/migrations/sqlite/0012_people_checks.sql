-- The checks of 0003 for what 0011 adds: people's roles and locales, codes'
-- purposes, the login audit's kinds. Each table's triggers hold all its
-- conditions.

CREATE TRIGGER people_valid_insert BEFORE INSERT ON people
WHEN NOT (NEW.role IN ('owner', 'agent')) OR NOT (NEW.locale IN ('zh-CN', 'ko-KR', 'en')) OR NOT (NEW.failures >= 0) OR NOT ((NEW.role = 'agent') = (NEW.agent_id IS NOT NULL))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: people (role, locale, failures, agent_id)'); END;
CREATE TRIGGER people_valid_update BEFORE UPDATE ON people
WHEN NOT (NEW.role IN ('owner', 'agent')) OR NOT (NEW.locale IN ('zh-CN', 'ko-KR', 'en')) OR NOT (NEW.failures >= 0) OR NOT ((NEW.role = 'agent') = (NEW.agent_id IS NOT NULL))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: people (role, locale, failures, agent_id)'); END;

CREATE TRIGGER login_codes_valid_insert BEFORE INSERT ON login_codes
WHEN NOT (NEW.purpose IN ('login', 'new_phone'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: login_codes (purpose)'); END;
CREATE TRIGGER login_codes_valid_update BEFORE UPDATE ON login_codes
WHEN NOT (NEW.purpose IN ('login', 'new_phone'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: login_codes (purpose)'); END;

CREATE TRIGGER login_events_valid_insert BEFORE INSERT ON login_events
WHEN NOT (NEW.kind IN ('code_sent', 'code_rate_limited', 'code_unknown_number', 'code_send_failed', 'code_wrong', 'code_expired', 'login', 'locked', 'lock_lifted', 'logout', 'phone_change_requested', 'phone_changed'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: login_events (kind)'); END;
CREATE TRIGGER login_events_valid_update BEFORE UPDATE ON login_events
WHEN NOT (NEW.kind IN ('code_sent', 'code_rate_limited', 'code_unknown_number', 'code_send_failed', 'code_wrong', 'code_expired', 'login', 'locked', 'lock_lifted', 'logout', 'phone_change_requested', 'phone_changed'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: login_events (kind)'); END;
