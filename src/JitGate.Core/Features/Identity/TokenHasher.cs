using System.Security.Cryptography;
using System.Text;

namespace JitGate.Core.Features.Identity;

/// <summary>Bearer tokens are random and high-entropy, so a plain SHA-256 is the right hash: it is looked up, not guessed.</summary>
public static class TokenHasher
{
    public const string Prefix = "jg_";

    public static string NewToken() =>
        Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
