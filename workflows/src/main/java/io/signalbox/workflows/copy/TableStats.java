package io.signalbox.workflows.copy;

/**
 * Row count and content checksum of one table.
 *
 * <p>Tables are the ordinary tables outside the system schemas, leaf partitions included, each read
 * with {@code ONLY}: a partitioned table's rows are counted once, in its leaves, and the
 * partitioned parent itself is not listed. Tables that belong to an extension and materialized
 * views are left out.
 *
 * @param table the schema-qualified, quoted name ({@code format('%I.%I')}), e.g. {@code
 *     public."Order"}
 * @param rows the number of rows
 * @param checksum the sum over all rows of {@code hashtextextended(row::text, 0)} as a decimal
 *     string (order-independent), or null when checksums were not computed
 */
public record TableStats(String table, long rows, String checksum) {}
