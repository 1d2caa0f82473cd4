using System.Globalization;
using MySqlConnector;

namespace JitGate.Engines.MySql;

/// <summary>
/// Ends the sessions of JitGate accounts. Needed whenever access shrinks: ACCOUNT LOCK only refuses new
/// logins, and a session keeps the database-level privileges it had when it selected its database
/// (MySQL manual, "When Privilege Changes Take Effect"; both checked on MariaDB 10.11, see README.md).
/// </summary>
internal static class MySqlSessions
{
    /// <summary>How long killed sessions may take to go away.</summary>
    public static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Kills every session of the accounts (<c>KILL CONNECTION</c>, which needs CONNECTION ADMIN or SUPER;
    /// seeing them in the process list needs PROCESS), then polls the process list until they are gone.
    /// </summary>
    /// <returns>The number of sessions ended per account (accounts without sessions are absent).</returns>
    /// <exception cref="EngineException">A session was still there <see cref="ExitTimeout"/> after being killed.</exception>
    public static async Task<Dictionary<string, int>> KillAsync(MySqlConnection connection, IReadOnlyCollection<string> accounts, CancellationToken ct)
    {
        var ended = new Dictionary<string, int>(StringComparer.Ordinal);
        if (accounts.Count == 0)
        {
            return ended;
        }

        var sessions = await ListAsync(connection, accounts, null, ct);
        if (sessions.Count == 0)
        {
            return ended;
        }

        foreach (var chunk in sessions.Chunk(200))
        {
            try
            {
                await MySqlConnections.ExecuteAsync(connection, string.Join("; ", chunk.Select(s => $"KILL CONNECTION {s.Id}")), ct);
            }
            catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.NoSuchThread)
            {
                // 1094, unknown thread: one ended by itself meanwhile, which stops the rest of the batch.
                foreach (var session in chunk)
                {
                    await KillOneAsync(connection, session.Id, ct);
                }
            }
        }

        foreach (var session in sessions)
        {
            ended[session.Account] = ended.GetValueOrDefault(session.Account) + 1;
        }

        var ids = sessions.Select(s => s.Id).ToHashSet();
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var left = (await ListAsync(connection, accounts, ids, ct)).Select(s => s.Id).ToList();
            if (left.Count == 0)
            {
                return ended;
            }

            if (started.Elapsed > ExitTimeout)
            {
                throw new EngineException(
                    $"{left.Count} session(s) (id {string.Join(", ", left.Take(20))}{(left.Count > 20 ? ", ..." : "")}) were killed "
                    + $"{ExitTimeout.TotalSeconds:0} s ago and are still there. The accounts can no longer log in; a DBA can end them with KILL CONNECTION.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), ct);
        }
    }

    /// <summary>The sessions of the accounts, other than this connection's own (only the given ids when <paramref name="only"/> is set).</summary>
    public static async Task<List<(ulong Id, string Account)>> ListAsync(
        MySqlConnection connection, IReadOnlyCollection<string> accounts, IReadOnlySet<ulong>? only, CancellationToken ct)
    {
        foreach (var account in accounts)
        {
            MySqlSql.ValidateAccount(account, nameof(accounts));
        }

        var sessions = new List<(ulong, string)>();
        foreach (var chunk in accounts.Chunk(500))
        {
            await using var command = new MySqlCommand(
                $"SELECT ID, USER FROM information_schema.PROCESSLIST WHERE USER IN ({string.Join(", ", chunk.Select(MySqlSql.Literal))}) AND ID <> CONNECTION_ID()",
                connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var id = Convert.ToUInt64(reader.GetValue(0), CultureInfo.InvariantCulture);
                if (only is null || only.Contains(id))
                {
                    sessions.Add((id, reader.GetString(1)));
                }
            }
        }

        return sessions;
    }

    private static async Task KillOneAsync(MySqlConnection connection, ulong id, CancellationToken ct)
    {
        try
        {
            await MySqlConnections.ExecuteAsync(connection, $"KILL CONNECTION {id.ToString(CultureInfo.InvariantCulture)}", ct);
        }
        catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.NoSuchThread)
        {
            // Gone already.
        }
    }
}
