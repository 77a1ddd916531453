-- Loaded after shapes.sql on an older major (13) by CrossVersionCopyTest: objects that a newer
-- server (14, 15) stores or shows differently after a faithful pg_dump/pg_restore, so a naive
-- schema comparison reports a difference that is not one.
--
--   range type            public.price_range: from 14 on, the server also creates the multirange
--                         type public.price_multirange and three constructor functions for it
--   trigger on a          public.measurements_stamp on the partitioned public.measurements: its
--   partitioned table     clones on the partitions are internal triggers on 13, ordinary ones
--                         (tgisinternal false) from 15 on
--
-- No rows change: the trigger returns NEW unchanged and nothing is inserted after it exists.

CREATE TYPE public.price_range AS RANGE (subtype = numeric);

CREATE TABLE public.offers (
  id     integer PRIMARY KEY,
  prices public.price_range NOT NULL
);
INSERT INTO public.offers
SELECT i, public.price_range(i, i * 2, '[)') FROM generate_series(1, 20) AS i;

CREATE FUNCTION public.measurements_stamp() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RETURN NEW;
END;
$$;

CREATE TRIGGER measurements_stamp BEFORE INSERT OR UPDATE ON public.measurements
  FOR EACH ROW EXECUTE FUNCTION public.measurements_stamp();
