using System.Runtime.InteropServices;
using SQLitePCL;

namespace JitGate.Engines.Sqlite;

/// <summary>
/// Reads the storage a compiled statement will open, from its own bytecode program. The authorizer
/// callback misses some reads (the columns a <c>USING</c> or <c>NATURAL</c> join compares are never
/// reported, so a table used only that way is never named), but every table or index the program reads
/// is opened by one of its cursor instructions, so listing those is complete.
/// </summary>
/// <remarks>
/// Uses <c>sqlite3_stmt_explain</c> (SQLite 3.41+): it lists the very program that will run rather than
/// compiling the text a second time. Opcodes and operands are those of SQLite's "The SQLite Bytecode
/// Engine" page: <c>OpenRead</c>, <c>OpenWrite</c> and <c>ReopenIdx</c> take the root page in P2 and the
/// database index in P3 (0 main, 1 temp, 2+ attached); <c>VOpen</c> names the virtual table instance in
/// P4; every other cursor opcode opens scratch storage (sorters, ephemeral tables, pseudo-tables) or
/// duplicates a cursor already listed.
/// </remarks>
internal static class SqliteProgram
{
    /// <summary>One cursor instruction that reads stored data.</summary>
    /// <param name="Opcode">OpenRead, OpenWrite, ReopenIdx or VOpen.</param>
    /// <param name="RootPage">The b-tree's root page (P2); 0 for VOpen.</param>
    /// <param name="Database">0 main, 1 temp, 2 and above attached (P3); 0 for VOpen.</param>
    /// <param name="Instance">VOpen's P4 (<c>vtab:ADDRESS</c>), which identifies the virtual table on this connection.</param>
    public sealed record Open(string Opcode, long RootPage, int Database, string? Instance);

    /// <summary>The cursor instructions of <paramref name="stmt"/> that read stored data, in program order.</summary>
    /// <exception cref="InvalidOperationException">The program could not be listed (the statement was not freshly prepared).</exception>
    public static List<Open> Opens(sqlite3 db, sqlite3_stmt stmt)
    {
        var handle = stmt.DangerousGetHandle();
        var rc = NativeMethods.sqlite3_stmt_explain(handle, 1);
        if (rc != raw.SQLITE_OK)
        {
            throw new InvalidOperationException($"SQLite could not list the statement's program ({raw.sqlite3_errstr(rc).utf8_to_string()}).");
        }

        var opens = new List<Open>();
        try
        {
            while ((rc = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
            {
                var opcode = raw.sqlite3_column_text(stmt, 1).utf8_to_string();
                switch (opcode)
                {
                    case "OpenRead" or "OpenWrite" or "ReopenIdx":
                        opens.Add(new Open(opcode, raw.sqlite3_column_int64(stmt, 3), raw.sqlite3_column_int(stmt, 4), null));
                        break;
                    case "VOpen":
                        opens.Add(new Open(opcode, 0, 0, raw.sqlite3_column_text(stmt, 5).utf8_to_string()));
                        break;
                }
            }

            if (rc != raw.SQLITE_DONE)
            {
                throw new InvalidOperationException($"SQLite could not list the statement's program ({raw.sqlite3_errmsg(db).utf8_to_string()}).");
            }
        }
        finally
        {
            raw.sqlite3_reset(stmt);
            rc = NativeMethods.sqlite3_stmt_explain(handle, 0);
        }

        return rc == raw.SQLITE_OK
            ? opens
            : throw new InvalidOperationException($"SQLite could not restore the statement after listing it ({raw.sqlite3_errstr(rc).utf8_to_string()}).");
    }

    /// <summary>
    /// The b-trees and virtual tables read by <c>SELECT * FROM main."name"</c>, compiled in EXPLAIN
    /// mode (never run); empty when it does not compile.
    /// </summary>
    public static List<Open> OpensOf(sqlite3 db, string name, string? arguments = null)
    {
        var sql = $"EXPLAIN SELECT * FROM main.\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"{arguments}";
        if (raw.sqlite3_prepare_v2(db, sql, out sqlite3_stmt stmt) != raw.SQLITE_OK)
        {
            stmt.Dispose();
            return [];
        }

        using (stmt)
        {
            var opens = new List<Open>();
            while (raw.sqlite3_step(stmt) == raw.SQLITE_ROW)
            {
                var opcode = raw.sqlite3_column_text(stmt, 1).utf8_to_string();
                if (opcode is "OpenRead" or "OpenWrite" or "ReopenIdx")
                {
                    opens.Add(new Open(opcode, raw.sqlite3_column_int64(stmt, 3), raw.sqlite3_column_int(stmt, 4), null));
                }
                else if (opcode == "VOpen")
                {
                    opens.Add(new Open(opcode, 0, 0, raw.sqlite3_column_text(stmt, 5).utf8_to_string()));
                }
            }

            return opens;
        }
    }

    private static class NativeMethods
    {
        // Not wrapped by SQLitePCL.raw; the bundled e_sqlite3 library exports it (SQLite 3.41+).
        [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int sqlite3_stmt_explain(IntPtr stmt, int mode);
    }
}
