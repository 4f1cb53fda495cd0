-- The locales a module speaks, as a JSON array of names, so its record says
-- so without loading it. Modules stored before this say nothing (NULL).

ALTER TABLE modules ADD COLUMN locales TEXT;
