using System.Security.Cryptography;
using System.Text;

namespace JitGate.Engines.Postgres;

/// <summary>
/// Builds the SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677, the format of
/// <c>pg_authid.rolpassword</c>), as psql's <c>\password</c> does. Sending the verifier instead of the
/// password keeps the plain password out of the server's statement log and pg_stat_activity.
/// </summary>
internal static class ScramVerifier
{
    private const int Iterations = 4096;

    /// <summary>
    /// The verifier for <paramref name="password"/>. Only printable ASCII is accepted: for it, the
    /// server's SASLprep leaves the bytes unchanged, so the verifier is exactly what a login checks.
    /// </summary>
    public static string Create(string password)
    {
        if (string.IsNullOrEmpty(password) || password.Any(c => c < 0x20 || c > 0x7e))
        {
            throw new ArgumentException("A role password must be non-empty printable ASCII.", nameof(password));
        }

        var salt = RandomNumberGenerator.GetBytes(16);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${Iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }
}
