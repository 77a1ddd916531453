-- Sample data for the demo source database (docker-compose.yml, service source-db): a small
-- Gitea-like schema with users, repositories, issues and comments, so a GiteaDbMigration from the
-- UI has something real to dump, restore and verify (row counts, checksums, sequences, schema).
-- Runs once, as the database owner, when the source-db volume is first initialised.

CREATE TABLE "user" (
  id          BIGSERIAL PRIMARY KEY,
  lower_name  TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  email       TEXT NOT NULL,
  is_admin    BOOLEAN NOT NULL DEFAULT FALSE,
  created_unix BIGINT NOT NULL
);

CREATE TABLE repository (
  id          BIGSERIAL PRIMARY KEY,
  owner_id    BIGINT NOT NULL REFERENCES "user"(id),
  lower_name  TEXT NOT NULL,
  name        TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  is_private  BOOLEAN NOT NULL DEFAULT FALSE,
  num_issues  INT NOT NULL DEFAULT 0,
  created_unix BIGINT NOT NULL,
  UNIQUE (owner_id, lower_name)
);

CREATE TABLE issue (
  id          BIGSERIAL PRIMARY KEY,
  repo_id     BIGINT NOT NULL REFERENCES repository(id),
  "index"     BIGINT NOT NULL,
  poster_id   BIGINT NOT NULL REFERENCES "user"(id),
  title       TEXT NOT NULL,
  content     TEXT NOT NULL DEFAULT '',
  is_closed   BOOLEAN NOT NULL DEFAULT FALSE,
  created_unix BIGINT NOT NULL,
  UNIQUE (repo_id, "index")
);
CREATE INDEX issue_poster_idx ON issue (poster_id);

CREATE TABLE comment (
  id          BIGSERIAL PRIMARY KEY,
  issue_id    BIGINT NOT NULL REFERENCES issue(id) ON DELETE CASCADE,
  poster_id   BIGINT NOT NULL REFERENCES "user"(id),
  content     TEXT NOT NULL,
  created_unix BIGINT NOT NULL
);
CREATE INDEX comment_issue_idx ON comment (issue_id);

-- Keeps repository.num_issues in step, as Gitea does in code: a trigger the migration must carry.
CREATE FUNCTION count_issues() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE repository SET num_issues = num_issues + 1 WHERE id = NEW.repo_id;
  RETURN NEW;
END;
$$;
CREATE TRIGGER issue_counts AFTER INSERT ON issue FOR EACH ROW EXECUTE FUNCTION count_issues();

CREATE VIEW open_issues AS
  SELECT r.name AS repo, i."index", i.title
  FROM issue i JOIN repository r ON r.id = i.repo_id
  WHERE NOT i.is_closed;

INSERT INTO "user" (lower_name, name, email, is_admin, created_unix) VALUES
  ('alice', 'alice', 'alice@example.org', TRUE,  1700000000),
  ('bob',   'bob',   'bob@example.org',   FALSE, 1700000100),
  ('carol', 'carol', 'carol@example.org', FALSE, 1700000200);

INSERT INTO repository (owner_id, lower_name, name, description, is_private, created_unix) VALUES
  (1, 'platform',  'platform',  'Cluster manifests',        FALSE, 1700001000),
  (1, 'runbooks',  'runbooks',  'Operational runbooks',     TRUE,  1700001100),
  (2, 'state-hub', 'state-hub', 'The state hub service',    FALSE, 1700001200);

-- 300 issues spread over the repositories, each with two comments.
INSERT INTO issue (repo_id, "index", poster_id, title, content, is_closed, created_unix)
SELECT 1 + (n % 3), n, 1 + (n % 3), 'Issue ' || n, repeat('Details of issue ' || n || '. ', 5),
       n % 4 = 0, 1700002000 + n * 60
FROM generate_series(1, 300) AS n;

INSERT INTO comment (issue_id, poster_id, content, created_unix)
SELECT i.id, 1 + ((i.id + c) % 3), 'Comment ' || c || ' on issue ' || i.id, i.created_unix + c * 30
FROM issue i CROSS JOIN generate_series(1, 2) AS c;
