-- The checks of 0003 for what 0007 adds: the telephony system's tokens,
-- cameras and captures, heartbeats, cases and their acts, calls, lookups,
-- pass applications, and lots' capacity and coordinates.
-- Each table's triggers are made again with all its conditions.

DROP TRIGGER IF EXISTS tokens_valid_insert;
DROP TRIGGER IF EXISTS tokens_valid_update;
CREATE TRIGGER tokens_valid_insert BEFORE INSERT ON tokens
WHEN NOT (NEW.role IN ('owner', 'robot', 'agent', 'payments', 'app', 'telephony'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: tokens (role)'); END;
CREATE TRIGGER tokens_valid_update BEFORE UPDATE ON tokens
WHEN NOT (NEW.role IN ('owner', 'robot', 'agent', 'payments', 'app', 'telephony'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: tokens (role)'); END;

DROP TRIGGER IF EXISTS cameras_valid_insert;
DROP TRIGGER IF EXISTS cameras_valid_update;
CREATE TRIGGER cameras_valid_insert BEFORE INSERT ON cameras
WHEN NOT (NEW.kind IN ('environment', 'id'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: cameras (kind)'); END;
CREATE TRIGGER cameras_valid_update BEFORE UPDATE ON cameras
WHEN NOT (NEW.kind IN ('environment', 'id'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: cameras (kind)'); END;

DROP TRIGGER IF EXISTS captures_valid_insert;
DROP TRIGGER IF EXISTS captures_valid_update;
CREATE TRIGGER captures_valid_insert BEFORE INSERT ON captures
WHEN NOT (NEW.kind IN ('scene', 'id_card'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: captures (kind)'); END;
CREATE TRIGGER captures_valid_update BEFORE UPDATE ON captures
WHEN NOT (NEW.kind IN ('scene', 'id_card'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: captures (kind)'); END;

DROP TRIGGER IF EXISTS robot_health_valid_insert;
DROP TRIGGER IF EXISTS robot_health_valid_update;
CREATE TRIGGER robot_health_valid_insert BEFORE INSERT ON robot_health
WHEN NOT (NEW.power IN ('mains', 'battery')) OR NOT (NEW.lpr_camera IN ('up', 'down', 'absent') AND NEW.environment_camera IN ('up', 'down', 'absent') AND NEW.barrier IN ('up', 'down', 'absent') AND NEW.display IN ('up', 'down', 'absent')) OR NOT (NEW.battery_percent IS NULL OR (NEW.battery_percent >= 0 AND NEW.battery_percent <= 100))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: robot_health (power, devices, battery_percent)'); END;
CREATE TRIGGER robot_health_valid_update BEFORE UPDATE ON robot_health
WHEN NOT (NEW.power IN ('mains', 'battery')) OR NOT (NEW.lpr_camera IN ('up', 'down', 'absent') AND NEW.environment_camera IN ('up', 'down', 'absent') AND NEW.barrier IN ('up', 'down', 'absent') AND NEW.display IN ('up', 'down', 'absent')) OR NOT (NEW.battery_percent IS NULL OR (NEW.battery_percent >= 0 AND NEW.battery_percent <= 100))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: robot_health (power, devices, battery_percent)'); END;

DROP TRIGGER IF EXISTS cases_valid_insert;
DROP TRIGGER IF EXISTS cases_valid_update;
CREATE TRIGGER cases_valid_insert BEFORE INSERT ON cases
WHEN NOT (NEW.opened_by IN ('call_button', 'escalation', 'call', 'agent')) OR NOT (NEW.test IN (0, 1)) OR NOT (NEW.outcome IS NULL OR NEW.outcome IN ('opened', 'paid', 'turned_away', 'no_answer', 'resolved', 'test'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: cases (opened_by, test, outcome)'); END;
CREATE TRIGGER cases_valid_update BEFORE UPDATE ON cases
WHEN NOT (NEW.opened_by IN ('call_button', 'escalation', 'call', 'agent')) OR NOT (NEW.test IN (0, 1)) OR NOT (NEW.outcome IS NULL OR NEW.outcome IN ('opened', 'paid', 'turned_away', 'no_answer', 'resolved', 'test'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: cases (opened_by, test, outcome)'); END;

DROP TRIGGER IF EXISTS case_acts_valid_insert;
DROP TRIGGER IF EXISTS case_acts_valid_update;
CREATE TRIGGER case_acts_valid_insert BEFORE INSERT ON case_acts
WHEN NOT (NEW.kind IN ('opened', 'escalated', 'called', 'answered', 'correct', 'open', 'visitor', 'match', 'display', 'close_stay', 'lookup', 'closed'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: case_acts (kind)'); END;
CREATE TRIGGER case_acts_valid_update BEFORE UPDATE ON case_acts
WHEN NOT (NEW.kind IN ('opened', 'escalated', 'called', 'answered', 'correct', 'open', 'visitor', 'match', 'display', 'close_stay', 'lookup', 'closed'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: case_acts (kind)'); END;

DROP TRIGGER IF EXISTS calls_valid_insert;
DROP TRIGGER IF EXISTS calls_valid_update;
CREATE TRIGGER calls_valid_insert BEFORE INSERT ON calls
WHEN NOT (NEW.resolved IN ('robot', 'pass', 'stays', 'visitor', 'nothing'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: calls (resolved)'); END;
CREATE TRIGGER calls_valid_update BEFORE UPDATE ON calls
WHEN NOT (NEW.resolved IN ('robot', 'pass', 'stays', 'visitor', 'nothing'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: calls (resolved)'); END;

DROP TRIGGER IF EXISTS lots_valid_insert;
DROP TRIGGER IF EXISTS lots_valid_update;
CREATE TRIGGER lots_valid_insert BEFORE INSERT ON lots
WHEN NOT (NEW.currency GLOB '[A-Z][A-Z][A-Z]') OR NOT (NEW.debounce_seconds IS NULL OR NEW.debounce_seconds >= 0) OR NOT (NEW.capacity IS NULL OR NEW.capacity >= 0) OR NOT (NEW.latitude IS NULL OR (NEW.latitude >= -90 AND NEW.latitude <= 90)) OR NOT (NEW.longitude IS NULL OR (NEW.longitude >= -180 AND NEW.longitude <= 180))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: lots (currency, debounce_seconds, capacity, latitude, longitude)'); END;
CREATE TRIGGER lots_valid_update BEFORE UPDATE ON lots
WHEN NOT (NEW.currency GLOB '[A-Z][A-Z][A-Z]') OR NOT (NEW.debounce_seconds IS NULL OR NEW.debounce_seconds >= 0) OR NOT (NEW.capacity IS NULL OR NEW.capacity >= 0) OR NOT (NEW.latitude IS NULL OR (NEW.latitude >= -90 AND NEW.latitude <= 90)) OR NOT (NEW.longitude IS NULL OR (NEW.longitude >= -180 AND NEW.longitude <= 180))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: lots (currency, debounce_seconds, capacity, latitude, longitude)'); END;

DROP TRIGGER IF EXISTS lookups_valid_insert;
DROP TRIGGER IF EXISTS lookups_valid_update;
CREATE TRIGGER lookups_valid_insert BEFORE INSERT ON lookups
WHEN NOT (NEW.kind IN ('phone', 'plate'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: lookups (kind)'); END;
CREATE TRIGGER lookups_valid_update BEFORE UPDATE ON lookups
WHEN NOT (NEW.kind IN ('phone', 'plate'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: lookups (kind)'); END;

DROP TRIGGER IF EXISTS pass_applications_valid_insert;
DROP TRIGGER IF EXISTS pass_applications_valid_update;
CREATE TRIGGER pass_applications_valid_insert BEFORE INSERT ON pass_applications
WHEN NOT (NEW.kind IN ('new', 'renewal')) OR NOT (NEW.status IN ('pending', 'approved', 'rejected', 'withdrawn')) OR NOT (NEW.months >= 1 AND NEW.months <= 36)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: pass_applications (kind, status, months)'); END;
CREATE TRIGGER pass_applications_valid_update BEFORE UPDATE ON pass_applications
WHEN NOT (NEW.kind IN ('new', 'renewal')) OR NOT (NEW.status IN ('pending', 'approved', 'rejected', 'withdrawn')) OR NOT (NEW.months >= 1 AND NEW.months <= 36)
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: pass_applications (kind, status, months)'); END;
