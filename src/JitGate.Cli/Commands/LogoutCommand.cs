using System.CommandLine;
using System.Text.Json.Nodes;

namespace JitGate.Cli.Commands;

/// <summary>
/// <c>jitgate logout</c>: revokes the token <c>jitgate login</c> saved (POST /auth/logout, so it stops working
/// everywhere, not only here) and forgets it. A token given in JITGATE_TOKEN is left alone: it is the caller's
/// to manage.
/// </summary>
internal static class LogoutCommand
{
    public static Command Create()
    {
        var command = new Command("logout", "Revoke the token jitgate login saved, and forget it");
        command.SetAction(async (parse, ct) =>
        {
            var json = parse.GetValue(Common.Json);
            if (Settings.Saved() is not { Url: { } url, Token: { } token })
            {
                Report(json, null, "Not signed in: nothing saved to forget.");
                return ExitCodes.Ok;
            }
            try
            {
                using var api = new ApiClient(url, token);
                await api.SendAsync(Route.Logout, null, null, new { }, ct);
            }
            catch (CliException e) when (e.ExitCode == ExitCodes.Denied)
            {
                // Already revoked or expired: forgetting it is all that is left.
            }
            catch (CliException e)
            {
                Console.Error.WriteLine($"jitgate: the token could not be revoked ({e.Message}); it is forgotten here, revoke it under your personal tokens.");
            }
            Settings.Forget();
            Report(json, url, $"Signed out of {url}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Report(bool json, string? url, string text)
    {
        if (json) Output.Json(new JsonObject { ["url"] = url, ["signedOut"] = url is not null });
        else Output.Line(text);
    }
}
