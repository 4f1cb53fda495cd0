-- The checks of 0003 for what 0007 adds: the telephony system's tokens,
-- cameras and captures, heartbeats, cases and their acts, calls, lookups,
-- pass applications, and lots' capacity and coordinates.

ALTER TABLE tokens DROP CONSTRAINT tokens_role_valid;
ALTER TABLE tokens ADD CONSTRAINT tokens_role_valid CHECK (role IN ('owner', 'robot', 'agent', 'payments', 'app', 'telephony'));
ALTER TABLE cameras ADD CONSTRAINT cameras_kind_valid CHECK (kind IN ('environment', 'id'));
ALTER TABLE captures ADD CONSTRAINT captures_kind_valid CHECK (kind IN ('scene', 'id_card'));
ALTER TABLE robot_health ADD CONSTRAINT robot_health_power_valid CHECK (power IN ('mains', 'battery'));
ALTER TABLE robot_health ADD CONSTRAINT robot_health_devices_valid CHECK (lpr_camera IN ('up', 'down', 'absent') AND environment_camera IN ('up', 'down', 'absent') AND barrier IN ('up', 'down', 'absent') AND display IN ('up', 'down', 'absent'));
ALTER TABLE robot_health ADD CONSTRAINT robot_health_battery_percent_valid CHECK (battery_percent IS NULL OR (battery_percent >= 0 AND battery_percent <= 100));
ALTER TABLE cases ADD CONSTRAINT cases_opened_by_valid CHECK (opened_by IN ('call_button', 'escalation', 'call', 'agent'));
ALTER TABLE cases ADD CONSTRAINT cases_test_valid CHECK (test IN (0, 1));
ALTER TABLE cases ADD CONSTRAINT cases_outcome_valid CHECK (outcome IS NULL OR outcome IN ('opened', 'paid', 'turned_away', 'no_answer', 'resolved', 'test'));
ALTER TABLE case_acts ADD CONSTRAINT case_acts_kind_valid CHECK (kind IN ('opened', 'escalated', 'called', 'answered', 'correct', 'open', 'visitor', 'match', 'display', 'close_stay', 'lookup', 'closed'));
ALTER TABLE calls ADD CONSTRAINT calls_resolved_valid CHECK (resolved IN ('robot', 'pass', 'stays', 'visitor', 'nothing'));
ALTER TABLE lots ADD CONSTRAINT lots_capacity_valid CHECK (capacity IS NULL OR capacity >= 0);
ALTER TABLE lots ADD CONSTRAINT lots_latitude_valid CHECK (latitude IS NULL OR (latitude >= -90 AND latitude <= 90));
ALTER TABLE lots ADD CONSTRAINT lots_longitude_valid CHECK (longitude IS NULL OR (longitude >= -180 AND longitude <= 180));
ALTER TABLE lookups ADD CONSTRAINT lookups_kind_valid CHECK (kind IN ('phone', 'plate'));
ALTER TABLE pass_applications ADD CONSTRAINT pass_applications_kind_valid CHECK (kind IN ('new', 'renewal'));
ALTER TABLE pass_applications ADD CONSTRAINT pass_applications_status_valid CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn'));
ALTER TABLE pass_applications ADD CONSTRAINT pass_applications_months_valid CHECK (months >= 1 AND months <= 36);
