using System.Security.Cryptography;
using System.Text;

namespace JitGate.Core.Features.Webhooks;

/// <summary>HMAC-SHA256 signatures: JitGate's on generic webhooks, and Slack's on incoming Slack requests.</summary>
public static class WebhookSignature
{
    /// <summary>"sha256=&lt;hex HMAC of "&lt;timestamp&gt;.&lt;body&gt;"&gt;" with the webhook's secret.</summary>
    public static string Sign(string secret, string timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    /// <summary>Slack's scheme: "v0=&lt;hex HMAC of "v0:&lt;timestamp&gt;:&lt;body&gt;"&gt;" with the app's signing secret.</summary>
    public static string SlackSign(string signingSecret, string timestamp, string body) =>
        "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}")));

    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
