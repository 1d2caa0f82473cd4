using System.Net.Http.Json;

namespace JitGate.Bench;

/// <summary>
/// The seed story's people and rules on a fresh server: a developer and a project owner in the sample
/// project, production rated high risk, and high risk approved by one projectOwner step.
/// </summary>
internal static class StoryFlow
{
    public const string DevEmail = "dev@example.com";
    public const string DevPassword = "dev-password-1";
    public const string OwnerEmail = "owner@example.com";
    public const string OwnerPassword = "owner-password-1";
    private static readonly string[] OwnerStep = ["projectOwner"];

    /// <summary>Creates both users, their bindings, the approval flow and the risk rule as <paramref name="admin"/>.</summary>
    public static async Task SetUpAsync(HttpClient admin)
    {
        await Http.ExpectAsync(admin.PostAsJsonAsync("/api/v1/users", new { email = DevEmail, name = "Dev", password = DevPassword }));
        await Http.ExpectAsync(admin.PostAsJsonAsync("/api/v1/users", new { email = OwnerEmail, name = "Owner", password = OwnerPassword }));
        await Http.ExpectAsync(admin.PostAsJsonAsync("/api/v1/projects/sample/bindings", new { principal = $"user:{DevEmail}", role = "projectDeveloper" }));
        await Http.ExpectAsync(admin.PostAsJsonAsync("/api/v1/projects/sample/bindings", new { principal = $"user:{OwnerEmail}", role = "projectOwner" }));
        await Http.ExpectAsync(admin.PutAsJsonAsync("/api/v1/settings/approval-flows", new[] { new { source = "requestRole", level = "high", steps = OwnerStep } }));
        await Http.ExpectAsync(admin.PutAsJsonAsync("/api/v1/settings/risk-rules",
            new[] { new { source = "requestRole", level = "high", title = "Production data", condition = "environment_id == \"prod\"" } }));
    }

    /// <summary>Signed-in clients for the developer and the owner.</summary>
    public static async Task<(HttpClient Dev, HttpClient Owner)> SignInAsync(ServerProcess server)
    {
        var dev = server.NewClient();
        await ServerProcess.AuthorizeAsync(dev, DevEmail, DevPassword);
        var owner = server.NewClient();
        await ServerProcess.AuthorizeAsync(owner, OwnerEmail, OwnerPassword);
        return (dev, owner);
    }
}
