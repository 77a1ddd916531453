-- The State Hub schema as its Alembic migrations make it (revision 3f2a1c9d8e7b): the cluster-side
-- app's migrations create exactly this in the empty target before the cutover. The table
-- "entries" references "topics" and sorts before it, so a data-only restore in dump order fails.
CREATE TABLE public.alembic_version (
  version_num varchar(32) NOT NULL,
  CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO public.alembic_version (version_num) VALUES ('3f2a1c9d8e7b');

CREATE TABLE public.topics (
  id         serial PRIMARY KEY,
  name       text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT '2026-01-01 00:00:00+00'
);

CREATE TABLE public.entries (
  id       bigserial PRIMARY KEY,
  topic_id integer NOT NULL REFERENCES public.topics (id),
  body     jsonb NOT NULL,
  seq      integer NOT NULL
);
CREATE INDEX entries_topic_id ON public.entries (topic_id);
