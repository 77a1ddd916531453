-- Every sequence's position that the role may read.
SELECT format('%I.%I', schemaname, sequencename) AS qname, last_value
  FROM pg_sequences
 WHERE last_value IS NOT NULL
