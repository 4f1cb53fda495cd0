-- What the service stores, held to the values it writes: codes from their
-- sets, amounts that are not negative, dates and currencies in their
-- shapes. A value outside them is refused by the database too, so a
-- record is never guessed at when it is read (PostgreSQL: constraints).

ALTER TABLE tokens ADD CONSTRAINT tokens_role_valid CHECK (role IN ('owner', 'robot', 'agent'));

ALTER TABLE lots ADD CONSTRAINT lots_currency_valid CHECK (currency ~ '^[A-Z]{3}$');

ALTER TABLE gates ADD CONSTRAINT gates_direction_valid CHECK (direction IN ('entry', 'exit'));

ALTER TABLE accounts ADD CONSTRAINT accounts_spaces_valid CHECK (spaces >= 1);

ALTER TABLE monthly_passes ADD CONSTRAINT monthly_passes_valid_until_valid CHECK (valid_until ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$');

ALTER TABLE sessions ADD CONSTRAINT sessions_billing_valid CHECK (billing IN ('monthly', 'temporary', 'free'));
ALTER TABLE sessions ADD CONSTRAINT sessions_closed_by_valid CHECK (closed_by IS NULL OR closed_by IN ('robot', 'agent', 'reentry'));
ALTER TABLE sessions ADD CONSTRAINT sessions_paid_amount_valid CHECK (paid_amount >= 0);

ALTER TABLE orders ADD CONSTRAINT orders_kind_valid CHECK (kind IN ('temporary', 'monthly_renewal'));
ALTER TABLE orders ADD CONSTRAINT orders_status_valid CHECK (status IN ('pending', 'paid'));
ALTER TABLE orders ADD CONSTRAINT orders_amount_valid CHECK (amount IS NULL OR amount >= 0);

ALTER TABLE payments ADD CONSTRAINT payments_kind_valid CHECK (kind IN ('temporary', 'monthly_renewal', 'pick'));
ALTER TABLE payments ADD CONSTRAINT payments_amount_valid CHECK (amount > 0);

ALTER TABLE picks ADD CONSTRAINT picks_status_valid CHECK (status IN ('open', 'charged'));
ALTER TABLE picks ADD CONSTRAINT picks_amount_valid CHECK (amount IS NULL OR amount >= 0);

ALTER TABLE decisions ADD CONSTRAINT decisions_direction_valid CHECK (direction IN ('entry', 'exit'));
ALTER TABLE decisions ADD CONSTRAINT decisions_source_valid CHECK (source IN ('robot', 'agent'));
ALTER TABLE decisions ADD CONSTRAINT decisions_gate_valid CHECK (gate IN ('open', 'hold'));
ALTER TABLE decisions ADD CONSTRAINT decisions_evaluation_us_valid CHECK (evaluation_us >= 0);

ALTER TABLE openings ADD CONSTRAINT openings_kind_valid CHECK (kind IN ('normal', 'abnormal', 'visitor', 'correction'));
ALTER TABLE openings ADD CONSTRAINT openings_direction_valid CHECK (direction IN ('entry', 'exit'));

ALTER TABLE photos ADD CONSTRAINT photos_content_type_valid CHECK (content_type IN ('image/jpeg', 'image/png'));
ALTER TABLE photos ADD CONSTRAINT photos_size_valid CHECK (size >= 0);

ALTER TABLE closures ADD CONSTRAINT closures_amounts_valid CHECK (total >= 0 AND due >= 0 AND charged >= 0);
