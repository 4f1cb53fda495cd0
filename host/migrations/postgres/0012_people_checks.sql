-- The checks of 0003 for what 0011 adds: people's roles and locales, codes'
-- purposes, the login audit's kinds.

ALTER TABLE people ADD CONSTRAINT people_role_valid CHECK (role IN ('owner', 'agent'));
ALTER TABLE people ADD CONSTRAINT people_locale_valid CHECK (locale IN ('zh-CN', 'ko-KR', 'en'));
ALTER TABLE people ADD CONSTRAINT people_failures_valid CHECK (failures >= 0);
ALTER TABLE people ADD CONSTRAINT people_agent_id_valid CHECK ((role = 'agent') = (agent_id IS NOT NULL));
ALTER TABLE login_codes ADD CONSTRAINT login_codes_purpose_valid CHECK (purpose IN ('login', 'new_phone'));
ALTER TABLE login_events ADD CONSTRAINT login_events_kind_valid CHECK (kind IN ('code_sent', 'code_rate_limited', 'code_unknown_number', 'code_send_failed', 'code_wrong', 'code_expired', 'login', 'locked', 'lock_lifted', 'logout', 'phone_change_requested', 'phone_changed'));
