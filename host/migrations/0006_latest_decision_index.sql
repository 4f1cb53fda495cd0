-- The gate's latest decision (the duplicate-read check on every event) is
-- `MAX(id)` of the gate's decisions: found in the index, not by scanning
-- every decision the gate ever made.
CREATE INDEX decisions_gate_latest ON decisions (lot_id, gate_id, id);
