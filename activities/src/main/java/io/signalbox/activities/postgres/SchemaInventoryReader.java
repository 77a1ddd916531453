package io.signalbox.activities.postgres;

import static io.signalbox.activities.postgres.Inspector.USER_SCHEMA;
import static io.signalbox.activities.postgres.Inspector.notExtensionMember;
import static io.signalbox.activities.postgres.Inspector.serverVersionNum;

import io.signalbox.workflows.copy.SchemaInventory;
import io.signalbox.workflows.copy.SchemaObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The schema inventory of {@link Inspector}: the catalog queries that list a database's objects,
 * each with the definition a copy's target must match. Read-only, on a connection the caller owns.
 */
final class SchemaInventoryReader {

  private SchemaInventoryReader() {}

  /**
   * The schema inventory: schemas, extensions (names only: a target may be a newer release), types
   * (enum, domain, composite), tables, columns, indexes, constraints, views, materialized views,
   * functions, triggers and sequences, outside the system schemas and not belonging to an
   * extension. Owners and privileges are left out.
   *
   * <p>Source and target may run different major versions (a copy from 13 into 15). Each server
   * describes its own objects, so definitions are read as catalog facts that mean the same on every
   * version where that is possible (column and sequence types through {@code format_type}, function
   * bodies by digest), and the deparsed texts ({@code pg_get_indexdef}, {@code pg_get_viewdef},
   * constraint and trigger definitions) are those of the restored objects: pg_dump writes the
   * source's definitions, the target parses them again, and both deparse the same parse tree the
   * same way on 13 and 15 ({@code CrossVersionCopyTest} checks this on the shapes dataset). What a
   * newer server adds by itself is left out, each where it is read and with why that is safe:
   * multirange constructors ({@link #multirangeConstructor}), partition clones of triggers, and NOT
   * NULL constraint rows.
   */
  static SchemaInventory inventory(Connection c) throws SQLException {
    SessionSettings.apply(c);
    int version = serverVersionNum(c);
    // SQL-standard function bodies (BEGIN ATOMIC) exist from PostgreSQL 14 on.
    String sqlBody =
        version >= 140000 ? " || COALESCE(pg_catalog.pg_get_function_sqlbody(p.oid), '')" : "";
    List<SchemaObject> objects = new ArrayList<>();
    String relFilter = USER_SCHEMA + " AND " + notExtensionMember("pg_catalog.pg_class", "c.oid");
    String rel =
        " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ";

    collect(
        c,
        objects,
        "schema",
        "SELECT pg_catalog.quote_ident(n.nspname), '' FROM pg_catalog.pg_namespace n WHERE "
            + USER_SCHEMA
            + " AND "
            + notExtensionMember("pg_catalog.pg_namespace", "n.oid"));
    collect(
        c,
        objects,
        "extension",
        "SELECT pg_catalog.quote_ident(extname), '' FROM pg_catalog.pg_extension");
    collect(
        c,
        objects,
        "type",
        "SELECT pg_catalog.format('%I.%I', n.nspname, t.typname),"
            + " CASE t.typtype"
            + "  WHEN 'e' THEN 'enum (' || (SELECT pg_catalog.string_agg("
            + "     pg_catalog.quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)"
            + "     FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) || ')'"
            + "  WHEN 'd' THEN 'domain ' || pg_catalog.format_type(t.typbasetype, t.typtypmod)"
            + "     || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END"
            + "     || COALESCE(' DEFAULT ' || t.typdefault, '')"
            + "  WHEN 'c' THEN 'composite (' || (SELECT pg_catalog.string_agg("
            + "     pg_catalog.quote_ident(a.attname) || ' '"
            + "     || pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)"
            + "     FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid"
            + "     AND a.attnum > 0 AND NOT a.attisdropped) || ')'"
            + "  WHEN 'r' THEN 'range of ' || (SELECT pg_catalog.format_type(r.rngsubtype, NULL)"
            + "     FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid)"
            + "  ELSE t.typtype::text END"
            + " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
            + " WHERE "
            + USER_SCHEMA
            + " AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT relkind"
            + "   FROM pg_catalog.pg_class WHERE oid = t.typrelid) = 'c'))"
            + " AND "
            + notExtensionMember("pg_catalog.pg_type", "t.oid"));
    collect(
        c,
        objects,
        "table",
        "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname),"
            + " CASE c.relkind WHEN 'p' THEN 'partitioned table ' ||"
            + "   pg_catalog.pg_get_partkeydef(c.oid) WHEN 'f' THEN 'foreign table'"
            + "   ELSE 'table' END"
            + " || CASE WHEN c.relpersistence = 'u' THEN ' unlogged' ELSE '' END"
            + " || CASE WHEN c.relispartition THEN ' partition of ' || (SELECT"
            + "   pg_catalog.format('%I.%I', pn.nspname, pc.relname) FROM pg_catalog.pg_inherits i"
            + "   JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent"
            + "   JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace"
            + "   WHERE i.inhrelid = c.oid) || ' ' || pg_catalog.pg_get_expr(c.relpartbound, c.oid)"
            + "   ELSE '' END"
            + " || CASE WHEN c.relrowsecurity THEN ' row security' ELSE '' END"
            + rel
            + "WHERE c.relkind IN ('r', 'p', 'f') AND "
            + relFilter);
    collect(
        c,
        objects,
        "column",
        "SELECT pg_catalog.format('%I.%I.%I', n.nspname, c.relname, a.attname),"
            + " '#' || pg_catalog.row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum) || ' '"
            + " || pg_catalog.format_type(a.atttypid, a.atttypmod)"
            + " || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END"
            + " || CASE a.attidentity WHEN 'a' THEN ' GENERATED ALWAYS AS IDENTITY'"
            + "    WHEN 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY' ELSE '' END"
            + " || CASE WHEN a.attgenerated = 's' THEN ' GENERATED ALWAYS AS ('"
            + "    || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) || ') STORED'"
            + "    WHEN ad.adbin IS NOT NULL THEN ' DEFAULT '"
            + "    || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END"
            + " || CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation"
            + "    THEN ' COLLATE ' || (SELECT pg_catalog.format('%I.%I', cn.nspname, co.collname)"
            + "    FROM pg_catalog.pg_collation co"
            + "    JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
            + "    WHERE co.oid = a.attcollation) ELSE '' END"
            + rel
            + "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
            + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
            + " LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum"
            + " WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm') AND a.attnum > 0"
            + " AND NOT a.attisdropped AND "
            + relFilter);
    collect(
        c,
        objects,
        "index",
        "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname),"
            + " pg_catalog.pg_get_indexdef(c.oid)"
            + rel
            + "JOIN pg_catalog.pg_index x ON x.indexrelid = c.oid"
            + " WHERE c.relkind IN ('i', 'I') AND "
            + relFilter
            + " AND "
            + notExtensionMember("pg_catalog.pg_class", "x.indrelid"));
    collect(
        c,
        objects,
        "constraint",
        "SELECT CASE WHEN k.conrelid <> 0"
            + "  THEN pg_catalog.format('%I.%I.%I', n.nspname, c.relname, k.conname)"
            + "  ELSE pg_catalog.format('%I.%I.%I', tn.nspname, t.typname, k.conname) END,"
            + " pg_catalog.pg_get_constraintdef(k.oid)"
            + " FROM pg_catalog.pg_constraint k"
            + " LEFT JOIN pg_catalog.pg_class c ON c.oid = k.conrelid"
            + " LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " LEFT JOIN pg_catalog.pg_type t ON t.oid = k.contypid"
            + " LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace"
            // NOT NULL is compared with its column (attnotnull); from PostgreSQL 18 on it is
            // also a constraint row, which an older source does not have.
            + " WHERE k.contype <> 'n' AND ((k.conrelid <> 0 AND "
            + relFilter
            + ") OR (k.contypid <> 0 AND tn.nspname <> 'information_schema'"
            + "  AND tn.nspname !~ '^pg_' AND "
            + notExtensionMember("pg_catalog.pg_type", "t.oid")
            + "))");
    collect(
        c,
        objects,
        "view",
        "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname),"
            + " pg_catalog.pg_get_viewdef(c.oid, true)"
            + rel
            + "WHERE c.relkind = 'v' AND "
            + relFilter);
    collect(
        c,
        objects,
        "materialized view",
        "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname),"
            + " pg_catalog.pg_get_viewdef(c.oid, true)"
            + rel
            + "WHERE c.relkind = 'm' AND "
            + relFilter);
    collect(
        c,
        objects,
        "function",
        "SELECT p.oid::pg_catalog.regprocedure::pg_catalog.text,"
            + " CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate'"
            + "   WHEN 'w' THEN 'window' ELSE 'function' END"
            + " || ' returns ' || COALESCE(pg_catalog.pg_get_function_result(p.oid), 'void')"
            + " || ' language ' || l.lanname || ' volatility ' || p.provolatile::pg_catalog.text"
            + " || CASE WHEN p.proisstrict THEN ' strict' ELSE '' END"
            + " || CASE WHEN p.prosecdef THEN ' security definer' ELSE '' END"
            + " || ' body md5 ' || pg_catalog.md5(COALESCE(p.prosrc, '')"
            + sqlBody
            + ")"
            + " FROM pg_catalog.pg_proc p"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
            + " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
            + " WHERE "
            + USER_SCHEMA
            + " AND "
            + notExtensionMember("pg_catalog.pg_proc", "p.oid")
            + " AND NOT "
            + multirangeConstructor("p.oid"));
    collect(
        c,
        objects,
        "trigger",
        "SELECT pg_catalog.format('%I.%I.%I', n.nspname, c.relname, g.tgname),"
            + " pg_catalog.pg_get_triggerdef(g.oid)"
            + rel
            + "JOIN pg_catalog.pg_trigger g ON g.tgrelid = c.oid"
            + " WHERE NOT g.tgisinternal AND "
            // A trigger on a partitioned table is cloned onto each partition. The clones are
            // internal up to 14 and ordinary from 15 on; either way the server makes them from
            // the parent's trigger (compared here) and keeps them equal to it, so only triggers
            // of their own (tgparentid 0, a column since 13) are listed. Older servers mark every
            // clone internal, which the test above already leaves out.
            + (version >= 130000 ? "g.tgparentid = 0 AND " : "")
            + relFilter);
    collect(
        c,
        objects,
        "policy",
        "SELECT pg_catalog.format('%I.%I.%I', n.nspname, c.relname, p.polname),"
            + " CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END"
            + " || ' for ' || p.polcmd::pg_catalog.text"
            + " || ' to ' || COALESCE((SELECT pg_catalog.string_agg(CASE WHEN r = 0 THEN 'public'"
            + "   ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r)) END, ', ' ORDER BY 1)"
            + "   FROM pg_catalog.unnest(p.polroles) AS r), '')"
            + " || COALESCE(' using (' || pg_catalog.pg_get_expr(p.polqual, p.polrelid) || ')', '')"
            + " || COALESCE(' check (' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)"
            + "   || ')', '')"
            + rel
            + "JOIN pg_catalog.pg_policy p ON p.polrelid = c.oid WHERE "
            + relFilter);
    collect(
        c,
        objects,
        "rule",
        "SELECT pg_catalog.format('%I.%I.%I', n.nspname, c.relname, r.rulename),"
            + " pg_catalog.pg_get_ruledef(r.oid)"
            + rel
            + "JOIN pg_catalog.pg_rewrite r ON r.ev_class = c.oid"
            + " WHERE r.rulename <> '_RETURN' AND "
            + relFilter);
    collect(
        c,
        objects,
        "sequence",
        "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname),"
            + " pg_catalog.format_type(s.seqtypid, NULL) || ' start ' || s.seqstart"
            + " || ' increment ' || s.seqincrement || ' min ' || s.seqmin || ' max ' || s.seqmax"
            + " || ' cache ' || s.seqcache || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END"
            + " || COALESCE((SELECT CASE d.deptype WHEN 'i' THEN ' identity of ' ELSE"
            + "   ' owned by ' END || pg_catalog.format('%I.%I.%I', tn.nspname, tc.relname,"
            + "   a.attname) FROM pg_catalog.pg_depend d"
            + "   JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid"
            + "   JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace"
            + "   JOIN pg_catalog.pg_attribute a"
            + "     ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
            + "   WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
            + "     AND d.objid = c.oid"
            + "     AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
            + "     AND d.deptype IN ('a', 'i') LIMIT 1), '')"
            + rel
            + "JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid"
            + " WHERE c.relkind = 'S' AND "
            + relFilter);
    objects.sort(Comparator.comparing(SchemaObject::kind).thenComparing(SchemaObject::name));
    return new SchemaInventory(List.copyOf(objects));
  }

  /**
   * Whether the function {@code oid} is one of the constructors that PostgreSQL 14 and later create
   * with every range type for its multirange type ({@code pg_depend} type {@code i}, internal, on a
   * type of {@code typtype 'm'}).
   *
   * <p>Why leaving them out is safe: they are not user-written; the server creates them with the
   * range type (which the inventory compares, as {@code range of <subtype>}) and drops them with
   * it, and they cannot be dropped or changed on their own. A 13 source has no multirange, so
   * comparing them would report three functions "not on source" for every range type after a
   * faithful copy into 14 or later. On 13 no type has {@code typtype 'm'}, so the test is false.
   */
  static String multirangeConstructor(String oid) {
    return "EXISTS (SELECT 1 FROM pg_catalog.pg_depend dm"
        + " JOIN pg_catalog.pg_type mt ON mt.oid = dm.refobjid"
        + " WHERE dm.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND dm.objid = "
        + oid
        + " AND dm.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass"
        + " AND dm.deptype = 'i' AND mt.typtype = 'm')";
  }

  private static void collect(Connection c, List<SchemaObject> out, String kind, String sql)
      throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(new SchemaObject(kind, rs.getString(1), rs.getString(2)));
      }
    }
  }
}
