-- Evidence is keyed by run: (workflow_id, run_id). A workflow id may be reused by a later run and
-- may contain '/', so "workflowId/runId" alone (evidence_id) is not a key: ("a/b", "c") and
-- ("a", "b/c") share it, and one run's record would replace the other's. evidence_id stays as the
-- readable id that results and the CLI show; it is indexed, not unique.
ALTER TABLE signalbox_evidence DROP CONSTRAINT signalbox_evidence_pkey;
ALTER TABLE signalbox_evidence ADD CONSTRAINT signalbox_evidence_pkey PRIMARY KEY (workflow_id, run_id);
CREATE INDEX signalbox_evidence_id_idx ON signalbox_evidence (evidence_id);
