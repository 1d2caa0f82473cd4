using System.Security.Cryptography;
using System.Text;

namespace JitGate.Engines.MySql;

/// <summary>
/// Tells whether an account's stored password is still the one JitGate set. Needed on MariaDB only, where any
/// account may <c>SET PASSWORD</c> on itself (MySQL 8 accounts are made with <c>PASSWORD REQUIRE CURRENT</c>,
/// whose current password their users never see).
/// </summary>
internal static class MySqlPasswords
{
    /// <summary>
    /// True when the row shows a password other than <paramref name="password"/>: a
    /// <c>mysql_native_password</c> hash that differs, or a plugin JitGate never sets
    /// (<c>mysql_old_password</c>). False for other plugins, whose stored form cannot be compared here, and
    /// for rows read without the credential (MySQL).
    /// </summary>
    /// <param name="row">The account's row from <see cref="MySqlGrantTables.ReadAccountsAsync"/>.</param>
    /// <param name="password">The password JitGate holds for the account.</param>
    public static bool WasChanged(MySqlGrantTables.AccountRow row, string password)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(password);
        return row.Plugin switch
        {
            "mysql_old_password" => true,
            "mysql_native_password" => !string.Equals(row.Credential, NativeHash(password), StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
    }

    /// <summary>
    /// The <c>mysql_native_password</c> form: <c>*</c> and the upper-case hexadecimal of SHA1(SHA1(password)),
    /// as MariaDB's <c>PASSWORD()</c> gives it (MariaDB manual, "Authentication Plugin - mysql_native_password").
    /// </summary>
    internal static string NativeHash(string password)
    {
#pragma warning disable CA5350 // The engine's own stored form, compared, never used to protect anything.
        var inner = SHA1.HashData(Encoding.UTF8.GetBytes(password));
        return "*" + Convert.ToHexString(SHA1.HashData(inner));
#pragma warning restore CA5350
    }
}
