-- Which table refers to which (child, parent), so rows are inserted parents first.
SELECT format('%I.%I', cn.nspname, c.relname) AS child,
       format('%I.%I', pn.nspname, p.relname) AS parent
  FROM pg_constraint con
  JOIN pg_class c ON c.oid = con.conrelid
  JOIN pg_namespace cn ON cn.oid = c.relnamespace
  JOIN pg_class p ON p.oid = con.confrelid
  JOIN pg_namespace pn ON pn.oid = p.relnamespace
 WHERE con.contype = 'f' AND con.conrelid <> con.confrelid
