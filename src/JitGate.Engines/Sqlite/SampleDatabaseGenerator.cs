using Microsoft.Data.Sqlite;

namespace JitGate.Engines.Sqlite;

/// <summary>
/// Creates SQLite databases with the shape of the employee sample (tables employee, department,
/// dept_emp, dept_manager, title, salary and views current_dept_emp, dept_emp_latest_date), filled
/// with deterministic made-up data.
/// </summary>
public static class SampleDatabaseGenerator
{
    /// <summary>
    /// Creates (or atomically replaces) the database at <paramref name="path"/> with
    /// <paramref name="employees"/> employees. The same arguments always give the same rows.
    /// The file is built under a temporary name beside the target and renamed into place, so a
    /// crash never leaves a half-made database at <paramref name="path"/>.
    /// </summary>
    /// <param name="path">Where the database file goes; its folder is created if missing.</param>
    /// <param name="employees">Number of employees (0 or more); about 9 salary rows each.</param>
    /// <param name="seed">Seed of the pseudo-random generator.</param>
    public static void Create(string path, int employees, int seed = 42)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(employees);

        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Fill(temporary, employees, seed);
            // synchronous=OFF skipped every fsync while filling; one fsync before the rename makes the
            // rename publish a complete file.
            using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static void Fill(string file, int employees, int seed)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = file,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-65536;");
        // A plain BEGIN rather than SqliteTransaction: the reused insert commands then need no
        // transaction object, and one transaction is what makes bulk inserts fast.
        Execute(connection, "BEGIN;" + SampleSchema.Tables + SampleSchema.Views);

        using var writer = new SampleRowWriter(connection);
        foreach (var row in SampleRows.Enumerate(employees, seed))
        {
            writer.Write(row);
        }

        Execute(connection, "COMMIT");
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
