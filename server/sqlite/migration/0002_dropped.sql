-- How many entries a browser's full audit queue discarded, on "dropped"
-- entries only.
ALTER TABLE audit ADD COLUMN dropped INTEGER NOT NULL DEFAULT 0;
