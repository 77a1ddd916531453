-- Reports too large for workflow history (a verification with a row per table): the activity that
-- made one stores it here, and history carries only its key, its SHA-256 and a bounded summary.
-- The evidence recorder loads it by key, checks the digest and writes it into the run's evidence.
-- Keyed like evidence, by run, plus the report's name within the run (e.g. verify-12, the
-- activity id); storing the same report again (a retried activity) replaces it.
CREATE TABLE signalbox_report (
    workflow_id text        NOT NULL,
    run_id      text        NOT NULL,
    name        text        NOT NULL,
    sha256      text        NOT NULL,
    json        jsonb       NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workflow_id, run_id, name)
);
