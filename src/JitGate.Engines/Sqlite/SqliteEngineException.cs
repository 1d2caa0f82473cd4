namespace JitGate.Engines.Sqlite;

/// <summary>
/// A SQLite target database cannot be used at all (missing file, not a SQLite database, unreadable).
/// The message says which file and what to check.
/// </summary>
public sealed class SqliteEngineException : Exception
{
    /// <summary>Creates an exception with no message.</summary>
    public SqliteEngineException()
    {
    }

    /// <summary>Creates an exception with a message a person can act on.</summary>
    public SqliteEngineException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the engine error that caused it.</summary>
    public SqliteEngineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
