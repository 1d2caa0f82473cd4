using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace JitGate.Engines.Sqlite;

/// <summary>Opening target database files read-only, with errors a person can act on.</summary>
internal static class SqliteFiles
{
    /// <summary>
    /// Opens <paramref name="path"/> read-only and checks that it is a SQLite database.
    /// Pooling is off: a pooled handle would keep reading the old inode after the file is replaced
    /// (the sample generator swaps files atomically), and it would carry per-query state such as the
    /// authorizer and progress handler over to the next caller.
    /// </summary>
    public static SqliteConnection OpenReadOnly(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new SqliteEngineException(
                $"The SQLite database file '{path}' does not exist. Check the database's connection settings.");
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            // Opening is lazy: the header is only read by the first statement, so a file that is not
            // a database is caught here rather than as a confusing query error later.
            using var probe = connection.CreateCommand();
            probe.CommandText = "SELECT count(*) FROM main.sqlite_schema";
            probe.ExecuteScalar();
            return connection;
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw Translate(path, ex.SqliteErrorCode, ex.Message, ex);
        }
    }

    /// <summary>Maps an engine error that makes the whole file unusable to <see cref="SqliteEngineException"/>.</summary>
    public static SqliteEngineException Translate(string path, int errorCode, string message, Exception? inner = null)
    {
        var text = (errorCode & 0xff) switch
        {
            raw.SQLITE_NOTADB => $"The file '{path}' is not a SQLite database ({message}).",
            raw.SQLITE_CORRUPT => $"The SQLite database '{path}' is corrupt ({message}).",
            raw.SQLITE_CANTOPEN => $"The SQLite database '{path}' cannot be opened; check that the file and its folder are readable ({message}).",
            _ => $"The SQLite database '{path}' cannot be read ({message}).",
        };
        return inner is null ? new SqliteEngineException(text) : new SqliteEngineException(text, inner);
    }

    /// <summary>True for error codes that say the file itself is unusable rather than the statement being wrong.</summary>
    public static bool IsFileError(int errorCode) => (errorCode & 0xff) is raw.SQLITE_NOTADB or raw.SQLITE_CORRUPT
        or raw.SQLITE_CANTOPEN or raw.SQLITE_IOERR;

    /// <summary>Names and kinds of the user objects in the main schema, in creation order.</summary>
    public static List<(string Name, string Kind)> ReadObjects(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT name, type FROM main.sqlite_schema
            WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
            ORDER BY rowid
            """;
        var objects = new List<(string, string)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            objects.Add((reader.GetString(0), reader.GetString(1)));
        }

        return objects;
    }
}
