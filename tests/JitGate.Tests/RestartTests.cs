using System.Net;
using JitGate.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace JitGate.Tests;

public sealed class RestartTests
{
    [Fact]
    public async Task A_restart_on_the_same_data_folder_keeps_everything_and_duplicates_nothing()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "jitgate-tests", Guid.NewGuid().ToString("n"));
        var clock = new FakeTimeProvider(JitGateApp.Start);
        long bindingId;
        string sampleHash;
        await using (var first = new JitGateApp(dataDir, clock))
        {
            var admin = await Api.SignupAdminAsync(first);
            await admin.CreateUserAsync(first, "dev@example.com");
            bindingId = (await admin.BindAsync("sample", new { principal = "user:dev@example.com", role = "sqlEditorUser", duration = "P1D" }))["id"]!.GetValue<long>();
            sampleHash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(first.SampleDatabasePath("hr_prod"))));
        }

        await using var second = new JitGateApp(dataDir, clock);
        var again = new Api(second.CreateClient());
        await again.LoginAsync("admin@example.com", "admin-password-1");
        Assert.Equal(2, (await again.GetOkAsync("/api/v1/users")).AsArray().Count);
        Assert.Equal(2, (await again.GetOkAsync("/api/v1/environments")).AsArray().Count);
        Assert.Single((await again.GetOkAsync("/api/v1/projects")).AsArray());
        Assert.Equal(2, (await again.GetOkAsync("/api/v1/databases")).AsArray().Count);
        // The first admin's ownership of Sample Project, and the developer's grant: each once.
        var bindings = (await again.GetOkAsync("/api/v1/projects/sample/bindings")).AsArray();
        Assert.Equal(2, bindings.Count);
        Assert.Single(bindings, b => b!["id"]!.GetValue<long>() == bindingId);
        Assert.Single(bindings, b => b!["role"]!.GetValue<string>() == "projectOwner");
        Assert.Contains((await again.GetOkAsync("/api/v1/audit?action=binding.create")).AsArray(), r => r!["actor"]!.GetValue<string>() == "admin@example.com");
        Assert.Equal(sampleHash, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(second.SampleDatabasePath("hr_prod")))));

        var dev = new Api(second.CreateClient());
        await dev.LoginAsync("dev@example.com", "user-password-1");
        Assert.Equal(HttpStatusCode.OK, (await dev.QueryAsync("hr_prod", "select count(*) from employee")).StatusCode);
    }
}
