-- The checks of 0003 for the opening kind 0009 adds: a gate opened for an
-- unplated vehicle's ticket.

DROP TRIGGER IF EXISTS openings_valid_insert;
DROP TRIGGER IF EXISTS openings_valid_update;
CREATE TRIGGER openings_valid_insert BEFORE INSERT ON openings
WHEN NOT (NEW.kind IN ('normal', 'abnormal', 'visitor', 'correction', 'ticket')) OR NOT (NEW.direction IN ('entry', 'exit'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: openings (kind, direction)'); END;
CREATE TRIGGER openings_valid_update BEFORE UPDATE ON openings
WHEN NOT (NEW.kind IN ('normal', 'abnormal', 'visitor', 'correction', 'ticket')) OR NOT (NEW.direction IN ('entry', 'exit'))
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: openings (kind, direction)'); END;
