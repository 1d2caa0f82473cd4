namespace JitGate.Engines.Postgres;

/// <summary>
/// A PostgreSQL instance cannot be used as asked (unreachable, database missing, or it did not end up
/// matching what JitGate asked for). The message says what happened and what an operator can do.
/// Messages never contain passwords.
/// </summary>
public sealed class PostgresEngineException : Exception
{
    /// <summary>Creates an exception with no message.</summary>
    public PostgresEngineException()
    {
    }

    /// <summary>Creates an exception with a message a person can act on.</summary>
    public PostgresEngineException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the engine error that caused it.</summary>
    public PostgresEngineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for an end of access that left something behind, with what did end.</summary>
    public PostgresEngineException(string message, PostgresEndAccessReport endAccess)
        : base(message)
    {
        EndAccess = endAccess;
    }

    /// <summary>Set when <see cref="PostgresAccess.EndAccessManyAsync"/> failed: which roles ended and what is left of the others.</summary>
    public PostgresEndAccessReport? EndAccess { get; }
}
