using Microsoft.AspNetCore.DataProtection;

namespace JitGate.Core.Common;

/// <summary>Encrypts secrets at rest (webhook URLs and secrets, Slack signing secret) with ASP.NET Core Data Protection.</summary>
public sealed class SecretBox(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("JitGate.Secrets.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
