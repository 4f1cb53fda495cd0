-- The checks of 0003 for the opening kind 0009 adds: a gate opened for an
-- unplated vehicle's ticket.

ALTER TABLE openings DROP CONSTRAINT openings_kind_valid;
ALTER TABLE openings ADD CONSTRAINT openings_kind_valid CHECK (kind IN ('normal', 'abnormal', 'visitor', 'correction', 'ticket'));
