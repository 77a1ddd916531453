-- Sample data for `signalbox dev --demo` (DemoDatabases): a small Gitea-like database, generated
-- server-side, about 20 MB (60,000 rows). It has the shapes a migration must carry: bigserial keys (sequences),
-- a stand-alone sequence, an identity column, bytea, jsonb, a view, a trigger and its function,
-- foreign keys and indexes. Deterministic: every demo starts from the same data.

SELECT setseed(0.14);

CREATE TABLE "user" (
  id           BIGSERIAL PRIMARY KEY,
  lower_name   TEXT NOT NULL UNIQUE,
  name         TEXT NOT NULL,
  email        TEXT NOT NULL,
  is_admin     BOOLEAN NOT NULL DEFAULT FALSE,
  avatar       BYTEA,
  created_unix BIGINT NOT NULL
);

CREATE TABLE repository (
  id           BIGSERIAL PRIMARY KEY,
  owner_id     BIGINT NOT NULL REFERENCES "user"(id),
  lower_name   TEXT NOT NULL,
  name         TEXT NOT NULL,
  description  TEXT NOT NULL DEFAULT '',
  is_private   BOOLEAN NOT NULL DEFAULT FALSE,
  num_issues   INT NOT NULL DEFAULT 0,
  topics       JSONB NOT NULL DEFAULT '[]',
  created_unix BIGINT NOT NULL,
  UNIQUE (owner_id, lower_name)
);

CREATE TABLE issue (
  id           BIGSERIAL PRIMARY KEY,
  repo_id      BIGINT NOT NULL REFERENCES repository(id),
  "index"      BIGINT NOT NULL,
  poster_id    BIGINT NOT NULL REFERENCES "user"(id),
  title        TEXT NOT NULL,
  content      TEXT NOT NULL DEFAULT '',
  is_closed    BOOLEAN NOT NULL DEFAULT FALSE,
  created_unix BIGINT NOT NULL,
  UNIQUE (repo_id, "index")
);
CREATE INDEX issue_poster_idx ON issue (poster_id);

CREATE TABLE comment (
  id           BIGSERIAL PRIMARY KEY,
  issue_id     BIGINT NOT NULL REFERENCES issue(id) ON DELETE CASCADE,
  poster_id    BIGINT NOT NULL REFERENCES "user"(id),
  content      TEXT NOT NULL,
  created_unix BIGINT NOT NULL
);
CREATE INDEX comment_issue_idx ON comment (issue_id);

-- An identity column (not a serial) and binary content.
CREATE TABLE attachment (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  uuid         UUID NOT NULL UNIQUE,
  issue_id     BIGINT NOT NULL REFERENCES issue(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  content      BYTEA NOT NULL,
  created_unix BIGINT NOT NULL
);

-- Events with a jsonb payload, numbered by a sequence of their own.
CREATE SEQUENCE action_seq START 1000 INCREMENT 5;
CREATE TABLE action (
  id           BIGINT PRIMARY KEY DEFAULT nextval('action_seq'),
  user_id      BIGINT NOT NULL REFERENCES "user"(id),
  op_type      INT NOT NULL,
  repo_id      BIGINT NOT NULL REFERENCES repository(id),
  content      JSONB NOT NULL,
  created_unix BIGINT NOT NULL
);
ALTER SEQUENCE action_seq OWNED BY action.id;
CREATE INDEX action_user_idx ON action (user_id, created_unix);
CREATE INDEX action_content_idx ON action USING gin (content);

-- Keeps repository.num_issues in step, as Gitea does in code: a trigger the migration must carry.
CREATE FUNCTION count_issues() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE repository SET num_issues = num_issues + 1 WHERE id = NEW.repo_id;
  RETURN NEW;
END;
$$;
CREATE TRIGGER issue_counts AFTER INSERT ON issue FOR EACH ROW EXECUTE FUNCTION count_issues();

CREATE VIEW open_issues AS
  SELECT r.name AS repo, i."index", i.title, u.name AS poster
  FROM issue i JOIN repository r ON r.id = i.repo_id JOIN "user" u ON u.id = i.poster_id
  WHERE NOT i.is_closed;

INSERT INTO "user" (lower_name, name, email, is_admin, avatar, created_unix)
SELECT 'user' || n, 'User' || n, 'user' || n || '@example.org', n <= 3,
       decode(repeat(md5('avatar' || n), 8), 'hex'), 1700000000 + n * 3600
FROM generate_series(1, 500) AS n;

INSERT INTO repository (owner_id, lower_name, name, description, is_private, topics, created_unix)
SELECT 1 + (n * 7) % 500, 'repo' || n, 'Repo' || n, 'Repository number ' || n, n % 5 = 0,
       jsonb_build_array('topic' || (n % 11), 'topic' || (n % 17)), 1700100000 + n * 600
FROM generate_series(1, 200) AS n;

-- 10,000 issues; the trigger counts them per repository as they go in.
INSERT INTO issue (repo_id, "index", poster_id, title, content, is_closed, created_unix)
SELECT 1 + (n % 200), 1 + n / 200, 1 + (random() * 499)::int, 'Issue ' || n,
       repeat('Details of issue ' || n || '. ', 6), n % 4 = 0, 1700200000 + n * 60
FROM generate_series(0, 9999) AS n;

INSERT INTO comment (issue_id, poster_id, content, created_unix)
SELECT 1 + (n % 10000), 1 + (random() * 499)::int,
       'Comment ' || n || ': ' || md5(n::text) || md5((n + 1)::text), 1700300000 + n * 30
FROM generate_series(0, 29999) AS n;

INSERT INTO attachment (uuid, issue_id, name, content, created_unix)
SELECT md5('attachment' || n)::uuid, 1 + (n * 37) % 10000, 'file' || n || '.bin',
       decode(repeat(md5('blob' || n), 64), 'hex'), 1700400000 + n * 90
FROM generate_series(1, 1000) AS n;

INSERT INTO action (user_id, op_type, repo_id, content, created_unix)
SELECT 1 + (n % 500), n % 20, 1 + (n % 200),
       jsonb_build_object('commits', n % 5, 'ref', 'refs/heads/main', 'message', 'change ' || n,
                          'files', jsonb_build_array('a' || n || '.go', 'b' || n || '.go')),
       1700500000 + n * 15
FROM generate_series(1, 18300) AS n;

ANALYZE;
