using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MySqlConnector;

namespace JitGate.Engines.MySql;

/// <summary>
/// Serializes the work on JitGate accounts across callers and replicas: a named lock per account
/// (<c>GET_LOCK</c>), held on one admin connection until disposed. Two reconciles, an expiry and a
/// credential issue on the same account would otherwise interleave their CREATE USER, ALTER USER and
/// GRANT statements (the second CREATE USER fails with error 1396), and a rotated password could be
/// overwritten by another caller's.
/// </summary>
/// <remarks>
/// Named locks live in the server and end with the session (MySQL manual, "Locking Functions"), so a
/// replica that dies while holding one frees it. Any account may call GET_LOCK, so a lock's name must be
/// one no account holder can guess and take first (which would keep JitGate from ending that account's
/// access): it is an HMAC of the account name keyed with the admin password, which only JitGate knows.
/// Several accounts are locked in name order, so two callers locking overlapping sets cannot deadlock.
/// Within one process, callers first take turns on a striped local lock, so that only one of them at a
/// time holds a connection while it waits for the server.
/// </remarks>
public sealed class MySqlRoleLock : IAsyncDisposable
{
    /// <summary>How long a caller waits for another's work on the same account before giving up.</summary>
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private const int StripeCount = 128;
    private const int NamesPerStatement = 100;
    private static readonly SemaphoreSlim[] Stripes = Enumerable.Range(0, StripeCount).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    private readonly MySqlConnection _connection;
    private readonly int[] _stripes;

    private MySqlRoleLock(MySqlConnection connection, int[] stripes)
    {
        _connection = connection;
        _stripes = stripes;
    }

    /// <summary>Waits until no other caller works on any of <paramref name="accounts"/>, then holds them.</summary>
    /// <exception cref="EngineException">The server cannot be reached, or another caller held an account for longer than <see cref="WaitLimit"/>.</exception>
    public static async Task<MySqlRoleLock> AcquireAsync(EngineServer server, IReadOnlyCollection<string> accounts, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(accounts);
        var stripes = accounts.Select(r => (int)((uint)StringComparer.Ordinal.GetHashCode(r) % StripeCount)).Distinct().Order().ToArray();
        var taken = 0;
        try
        {
            for (; taken < stripes.Length; taken++)
            {
                if (!await Stripes[stripes[taken]].WaitAsync(WaitLimit, ct))
                {
                    throw Busy(null);
                }
            }
        }
        catch
        {
            Release(stripes, taken);
            throw;
        }

        MySqlConnection connection;
        try
        {
            connection = await MySqlConnections.OpenLockAsync(server, ct);
        }
        catch
        {
            Release(stripes, stripes.Length);
            throw;
        }

        try
        {
            var seconds = ((int)WaitLimit.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            var names = accounts.Distinct(StringComparer.Ordinal).Select(a => LockName(server, a)).Order(StringComparer.Ordinal).ToList();
            foreach (var chunk in names.Chunk(NamesPerStatement))
            {
                // Evaluated left to right, so the locks are taken in name order.
                await using var command = new MySqlCommand(
                    "SELECT " + string.Join(", ", chunk.Select(n => $"GET_LOCK({MySqlSql.Literal(n)}, {seconds})")), connection)
                {
                    CommandTimeout = (int)WaitLimit.TotalSeconds * chunk.Length + 10,
                };
                await using var reader = await command.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                for (var i = 0; i < chunk.Length; i++)
                {
                    if (reader.IsDBNull(i) || reader.GetInt64(i) != 1)
                    {
                        throw Busy(null);
                    }
                }
            }

            return new MySqlRoleLock(connection, stripes);
        }
        catch (MySqlException ex) when (!ct.IsCancellationRequested)
        {
            await DropAsync(connection);
            Release(stripes, stripes.Length);
            throw Busy(ex);
        }
        catch
        {
            await DropAsync(connection);
            Release(stripes, stripes.Length);
            throw;
        }
    }

    /// <summary>The lock name of <paramref name="account"/> on <paramref name="server"/>: 56 characters, within the 64 the server allows.</summary>
    internal static string LockName(EngineServer server, string account)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(server.AdminPassword), Encoding.UTF8.GetBytes(account));
        return "jitgate_" + Convert.ToHexStringLower(mac)[..48];
    }

    private static EngineException Busy(Exception? inner)
    {
        var message = $"Another change to the same database account was still running after {WaitLimit.TotalSeconds:0} s; try again shortly.";
        return inner is null ? new EngineException(message) : new EngineException(message + $" ({inner.Message})", inner);
    }

    private static void Release(int[] stripes, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Stripes[stripes[i]].Release();
        }
    }

    /// <summary>Closes a lock connection for good: one whose locks are in doubt must not go back to the pool holding them.</summary>
    private static async Task DropAsync(MySqlConnection connection)
    {
        await MySqlConnection.ClearPoolAsync(connection);
        await connection.DisposeAsync();
        await MySqlConnection.ClearPoolAsync(connection);
    }

    /// <summary>Releases every account this lock holds.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new MySqlCommand("DO RELEASE_ALL_LOCKS()", _connection);
            await command.ExecuteNonQueryAsync();
            await _connection.DisposeAsync();
        }
        catch (Exception ex) when (ex is MySqlException or InvalidOperationException or IOException)
        {
            // A broken session has released its locks with it; a doubtful one is not pooled again.
            await DropAsync(_connection);
        }
        finally
        {
            Release(_stripes, _stripes.Length);
        }
    }
}
