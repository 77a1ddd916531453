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
 * @param checksum an order-independent content checksum, or null when checksums were not computed:
 *     either {@code copytext-fp64:} and 16 hex digits, the wrapping sum over all rows of a 64-bit
 *     FarmHash fingerprint of the row's COPY text line (read from a dump's data file, or from
 *     {@code COPY ... TO STDOUT} of a target), or the sum over all rows of {@code
 *     hashtextextended(row::text, 0)} as a decimal string (computed on the server); only checksums
 *     of the same kind are compared
 */
public record TableStats(String table, long rows, String checksum) {}
