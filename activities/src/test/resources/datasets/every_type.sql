-- Every common column type, with values whose COPY text needs care: escaped tabs, newlines and
-- backslashes, NULLs, empty strings, NaN and infinities, -0, timestamptz across a DST change,
-- generated and dropped columns, mixed-case names, a table without columns, an empty table.
-- DumpFileChecksumsTest (15 to 15) and CrossVersionCopyTest (13 to 15) copy it and compare the
-- dump's data-file checksums with the target's COPY text.

CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');

CREATE TYPE public.pair AS (a integer, b text);

CREATE DOMAIN public.posint AS integer CHECK (VALUE > 0);

CREATE TABLE public.every_type (
  id bigserial PRIMARY KEY, dropped_later integer, i2 smallint, i4 integer, i8 bigint,
  num numeric, num_scaled numeric(12,3), f4 real, f8 double precision, t text,
  vc varchar(20), ch char(5), b bytea, ok boolean, d date, tm time, tmz timetz,
  ts timestamp, tstz timestamptz, iv interval, u uuid, j json, jb jsonb, ia integer[],
  ta text[], ip inet, net cidr, mac macaddr, m public.mood, p public.pair,
  pi public.posint, r int4range, tr tstzrange, pt point, bits bit varying(16),
  tsv tsvector, x xml, twice bigint GENERATED ALWAYS AS (i8 * 2) STORED);

ALTER TABLE public.every_type DROP COLUMN dropped_later;

INSERT INTO public.every_type (i2, i4, i8, num, num_scaled, f4, f8, t, vc, ch, b, ok, d, tm,
  tmz, ts, tstz, iv, u, j, jb, ia, ta, ip, net, mac, m, p, pi, r, tr, pt, bits, tsv, x)
SELECT g, g * 1000, g::bigint * 10000000000, g / 7.0, g / 3.0, g / 10.0, g / 3.0 + 0.1,
  'tab' || chr(9) || 'newline' || chr(10) || 'back\slash ' || g || ' ünï€',
  'v' || g, 'c' || (g % 10), decode(md5(g::text), 'hex'), g % 2 = 0,
  date '2020-02-29' + g, time '12:34:56.789' + g * interval '1 minute',
  timetz '12:34:56+05:30', timestamp '2026-01-01 00:00:00.123456' + g * interval '1 hour',
  timestamptz '2026-03-29 01:30:00+01' + g * interval '17 minutes',
  make_interval(months => g, days => g, secs => g / 3.0),
  md5(g::text)::uuid, ('{"k": ' || g || ', "s": "a\"b"}')::json,
  ('{"k": [' || g || ', 2.50, null], "z": {"y": "x"}}')::jsonb,
  ARRAY[g, NULL, -g], ARRAY['a b', 'c"d', NULL, '', 'back\slash'],
  ('10.0.0.' || (g % 255))::inet, '192.168.0.0/16', '08:00:2b:01:02:03',
  (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::public.mood, ROW(g, 'p' || g)::public.pair,
  g, int4range(g, g + 10), tstzrange(now() - interval '1 day', NULL), point(g, -g / 3.0),
  (g % 65536)::bit(16)::varbit, to_tsvector('simple', 'word' || g || ' other'),
  ('<a n="' || g || '">x</a>')::xml
FROM generate_series(1, 300) g;

INSERT INTO public.every_type (f4, f8, num, t, b, tstz, ts, d)
VALUES ('NaN', '-Infinity', 'NaN', '', '\x', 'infinity', '-infinity', 'infinity'),
       ('-0', '1e-300', '-0.000', NULL, NULL, NULL, NULL, NULL),
       (3.4e38, 1.7976931348623157e308, 1e100, '\N', '\x00', '1900-01-01 00:00:00+00',
        '0001-01-01 00:00:00 BC', '4713-01-01 BC');

CREATE TABLE public."Mixed Case" ("Key" integer PRIMARY KEY, "select" text);

INSERT INTO public."Mixed Case" SELECT g, 'row ' || g FROM generate_series(1, 50) g;

CREATE TABLE public.no_columns ();

INSERT INTO public.no_columns SELECT FROM generate_series(1, 4);

CREATE TABLE public.empty (id integer);
