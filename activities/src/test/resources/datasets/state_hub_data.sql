-- State Hub rows on the workstation, deterministic: 20 topics, 500 entries.
INSERT INTO public.topics (name)
SELECT 'topic-' || g FROM generate_series(1, 20) g;
INSERT INTO public.entries (topic_id, body, seq)
SELECT 1 + (g % 20), jsonb_build_object('n', g, 'text', repeat('x', g % 17)), g
  FROM generate_series(1, 500) g;
