-- The user tables of a database, each with its primary key columns (in key order), its columns
-- with their types (to tell whether both sides have the same shape) and the columns an INSERT may
-- set (generated columns left out). Partitions are read through their partitioned table; tables
-- that belong to an extension are left out, as pg_dump leaves them out.
SELECT format('%I.%I', n.nspname, c.relname) AS qname,
       c.relkind = 'p' AS partitioned,
       coalesce((SELECT array_agg(a.attname::text ORDER BY k.ord)
                   FROM pg_constraint con
                   CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                  WHERE con.conrelid = c.oid AND con.contype = 'p'), '{}') AS pk,
       (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod),
                          ', ' ORDER BY a.attnum)
          FROM pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS shape,
       coalesce((SELECT array_agg(a.attname::text ORDER BY a.attnum)
                   FROM pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                    AND a.attgenerated = ''), '{}') AS insertable
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND NOT c.relispartition
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\_toast%'
   AND n.nspname NOT LIKE 'pg\_temp%'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.deptype = 'e')
 ORDER BY 1
