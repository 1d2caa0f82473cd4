namespace JitGate.Core.Engines;

/// <summary>
/// A target database server cannot be used as asked (unreachable, database missing, or it did not end up
/// matching what JitGate asked for). The message says what happened and what an operator can do.
/// Messages never contain passwords.
/// </summary>
public sealed class EngineException : Exception
{
    /// <summary>Creates an exception with no message.</summary>
    public EngineException()
    {
    }

    /// <summary>Creates an exception with a message a person can act on.</summary>
    public EngineException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the engine error that caused it.</summary>
    public EngineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for an end of access that left something behind, with what did end.</summary>
    public EngineException(string message, EndRolesReport endAccess)
        : base(message)
    {
        EndAccess = endAccess;
    }

    /// <summary>Set when <see cref="IEngineRoles.EndManyAsync"/> failed: which roles ended and what is left of the others.</summary>
    public EndRolesReport? EndAccess { get; }
}
