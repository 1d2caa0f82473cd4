using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace JitGate.Cli.Commands;

/// <summary>
/// <c>jitgate connect DATABASE [-- CLIENT-ARGS]</c>: starts psql (PostgreSQL) or mysql/mariadb (MySQL, MariaDB) with
/// temporary credentials. The password travels in the client's environment (PGPASSWORD, MYSQL_PWD), never on
/// a command line, where other users of the machine could read it. Exits with the client's exit code.
/// </summary>
internal static class ConnectCommand
{
    public static Command Create()
    {
        var database = new Argument<string>("database") { Description = "The database (its name or id)" };
        var clientArgs = new Argument<string[]>("client-args") { Description = "Passed to the client after --, such as -- -c \"select 1\"", Arity = ArgumentArity.ZeroOrMore };
        var client = new Option<string?>("--client") { Description = "The client program (default: psql, or mysql then mariadb)" };
        var command = new Command("connect", "Open psql or mysql on a database with temporary credentials") { database, clientArgs, client };
        Common.Run(command, async (parse, api, ct) =>
        {
            var db = await Common.DatabaseAsync(api, parse.GetValue(database)!, ct);
            var id = db["id"]!.GetValue<string>();
            var credentials = (await api.SendAsync(Route.Credentials, Common.Id(id), null, new { }, ct))!.AsObject();
            var engine = credentials["engine"]?.GetValue<string>() ?? db["engine"]!.GetValue<string>();
            var expiresAt = credentials["expiresAt"]!.GetValue<DateTimeOffset>();
            var (program, arguments, environment) = Client(engine, credentials, parse.GetValue(client));
            if (parse.GetValue(Common.Json))
            {
                Output.Json(new JsonObject
                {
                    ["database"] = id, ["engine"] = engine, ["host"] = credentials["host"]!.DeepClone(), ["port"] = credentials["port"]!.DeepClone(),
                    ["username"] = credentials["username"]!.DeepClone(), ["expiresAt"] = expiresAt, ["client"] = program,
                });
            }
            // The client owns the terminal now: Ctrl+C (SIGINT) and Ctrl+\ (SIGQUIT) reach it from the terminal and
            // cancel its query; jitgate must not die under it and leave it running without its parent, as a shell
            // ignores them while a program runs in the foreground.
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => signal.Cancel = true);
            using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, signal => signal.Cancel = true);
            Output.Note($"Connecting to {db["name"]} as {credentials["username"]}; your access ends {Output.Time(expiresAt)} (in {Output.Left(expiresAt, DateTimeOffset.UtcNow)}), and the session with it.");
            var start = new ProcessStartInfo(program) { UseShellExecute = false };
            foreach (var argument in arguments.Concat(parse.GetValue(clientArgs) ?? [])) start.ArgumentList.Add(argument);
            foreach (var (name, value) in environment) start.Environment[name] = value;
            // The client needs the database's password, not the caller's JitGate token.
            start.Environment.Remove("JITGATE_TOKEN");
            try
            {
                using var process = Process.Start(start)!;
                await process.WaitForExitAsync(CancellationToken.None);
                return process.ExitCode;
            }
            catch (Win32Exception)
            {
                throw new CliException(ExitCodes.Failed, $"Cannot start {program}; install it, or name the client with --client.");
            }
        });
        return command;
    }

    private static (string Program, List<string> Arguments, Dictionary<string, string> Environment) Client(string engine, JsonObject c, string? program)
    {
        string Text(string name) => Output.Cell(c[name]);
        return engine switch
        {
            "postgres" => (program ?? "psql", [], new()
            {
                ["PGHOST"] = Text("host"), ["PGPORT"] = Text("port"), ["PGDATABASE"] = Text("database"), ["PGUSER"] = Text("username"),
                ["PGPASSWORD"] = Text("password"), ["PGAPPNAME"] = "jitgate",
            }),
            "mysql" or "mariadb" => (program ?? (OnPath("mysql") ? "mysql" : "mariadb"), [$"--user={Text("username")}", $"--database={Text("database")}"], new()
            {
                ["MYSQL_HOST"] = Text("host"), ["MYSQL_TCP_PORT"] = Text("port"), ["MYSQL_PWD"] = Text("password"),
            }),
            _ => throw new CliException(ExitCodes.Failed, $"{engine} databases have no native client to connect with; use jitgate query."),
        };
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, program)));
}
