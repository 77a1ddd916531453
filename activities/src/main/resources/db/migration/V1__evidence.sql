-- Evidence of every run: one row per Temporal run (evidence_id = workflowId/runId), replaced when
-- the same run is recorded again. The JSON is the record; the Markdown is its rendered report.
CREATE TABLE signalbox_evidence (
    evidence_id  text        PRIMARY KEY,
    workflow_id  text        NOT NULL,
    run_id       text        NOT NULL,
    runbook      text,
    outcome      text,
    requested_by text,
    started_at   timestamptz,
    ended_at     timestamptz,
    failure_type text,
    dry_run      boolean     NOT NULL DEFAULT false,
    json         jsonb       NOT NULL,
    markdown     text        NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);

-- "signalbox evidence <workflowId>" shows the latest run of a workflow id.
CREATE INDEX signalbox_evidence_workflow_idx
    ON signalbox_evidence (workflow_id, started_at DESC NULLS LAST, recorded_at DESC);

-- Recent records, and the newest successful run per runbook (e.g. the last verified backup).
CREATE INDEX signalbox_evidence_recorded_idx ON signalbox_evidence (recorded_at DESC);
CREATE INDEX signalbox_evidence_runbook_idx
    ON signalbox_evidence (runbook, outcome, ended_at DESC);
