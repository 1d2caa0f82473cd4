using System.Text.RegularExpressions;

namespace JitGate.Engines.Postgres;

/// <summary>
/// The names of login roles JitGate owns. The prefix keeps them apart from roles a DBA made, so
/// JitGate never alters or drops a role it did not create.
/// </summary>
public static partial class PostgresRoleName
{
    /// <summary>True when <paramref name="roleName"/> is a JitGate role name: <c>^jit_[a-z0-9_]{1,50}$</c>.</summary>
    public static bool IsValid(string? roleName) => roleName is not null && Pattern().IsMatch(roleName);

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="roleName"/> is valid.</summary>
    public static void Validate(string roleName, string parameterName)
    {
        if (!IsValid(roleName))
        {
            throw new ArgumentException(
                $"'{roleName}' is not a JitGate role name; it must match ^jit_[a-z0-9_]{{1,50}}$.", parameterName);
        }
    }

    /// <summary>The pattern every JitGate role name matches, as text (also read by PostgreSQL's <c>~</c>).</summary>
    public const string PatternText = "^jit_[a-z0-9_]{1,50}$";

    [GeneratedRegex(PatternText, RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
