using System.Diagnostics;
using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Audit;
using JitGate.Core.Persistence;
using JitGate.Core.Policy;
using JitGate.Core.Engines;
using JitGate.Core.Features.Engines;
using Microsoft.Extensions.Options;

namespace JitGate.Core.Features.Query;

public sealed record QueryRequest(string? Database, string? Statement, int? MaxRows);

public sealed record QueryColumn(string Name, string Type);

/// <summary>
/// The answer of <c>POST /query</c>. <paramref name="Truncated"/> is true when rows were left out, and
/// <paramref name="TruncatedBy"/> says which cap stopped it: "rows" (maxRows) or "bytes" (the answer's byte cap).
/// </summary>
public sealed record QueryResponse(List<QueryColumn> Columns, IReadOnlyList<object?[]> Rows, int RowCount, bool Truncated, long ElapsedMs, string? TruncatedBy = null);

public sealed record DeniedResource(string Database, string Schema, string Table);

/// <summary>
/// Runs one read-only statement for the caller under engine enforcement. The grant is computed from
/// bindings active at this instant (now &lt; expiresAt, through TimeProvider); the engine refuses
/// everything else. Every call is audited, allowed or not.
/// </summary>
public sealed class RunQuery(JitGateDb db, PolicyCache policy, AuditLog audit, QueryAuditWriter auditWriter, RunningQueries running, EngineTargets targets, EngineRegistry engines, ReconcileEngineAccess reconcile, JitGateMetrics metrics, TimeProvider clock, IOptions<JitGateOptions> options)
{
    public const int DefaultMaxRows = 1000;
    private const int AuditedStatementLength = 10_000;

    public async Task<QueryResponse> HandleAsync(Actor actor, QueryRequest request, CancellationToken ct)
    {
        var limits = options.Value;
        if (string.IsNullOrWhiteSpace(request.Database)) throw ApiProblem.Validation("database is required: a database id from GET /api/v1/databases.");
        if (string.IsNullOrWhiteSpace(request.Statement)) throw ApiProblem.Validation("statement is required.");
        if (request.Statement.Length > limits.MaxStatementLength)
        {
            throw new ApiProblem(400, "statement-too-long", "Statement too long",
                $"A statement may have at most {limits.MaxStatementLength} characters; this one has {request.Statement.Length}.");
        }
        var maxRows = request.MaxRows ?? DefaultMaxRows;
        if (maxRows < 1 || maxRows > limits.MaxRowsLimit) throw ApiProblem.Validation($"maxRows must be between 1 and {limits.MaxRowsLimit}.");

        var snapshot = await policy.GetAsync(ct);
        var now = clock.GetUtcNow();
        if (!snapshot.Databases.TryGetValue(request.Database, out var database) || !Permissions.CanSeeDatabase(snapshot, actor, database.ProjectId, now))
        {
            throw ApiProblem.NotFound($"Database '{request.Database}'");
        }
        var grant = snapshot.ReadGrantFor(actor.UserId, database.Id, now);
        // Queries under break-glass access are flagged, so a review sees every one of them.
        var breakGlass = !grant.IsEmpty && snapshot.ReadsThroughBreakGlass(actor.UserId, database.Id, now);

        var stopwatch = Stopwatch.StartNew();
        var statementForAudit = request.Statement.Length > AuditedStatementLength ? request.Statement[..AuditedStatementLength] + "…" : request.Statement;
        QueryOutcome? outcome;
        try
        {
            outcome = await ExecuteAsync(actor, database, grant, request.Statement, new QueryLimits(maxRows, limits.QueryTimeout, limits.MaxAnswerBytes), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The caller stopped it (the SQL editor's Cancel, a client that went away): the engine has
            // ended the statement, and the attempt is in the audit trail like every other.
            await AuditAsync(actor, database, AuditLog.Failure, new { statement = statementForAudit, reason = "canceled", elapsedMs = stopwatch.ElapsedMilliseconds });
            throw;
        }
        var elapsedMs = stopwatch.ElapsedMilliseconds;

        if (outcome is null)
        {
            // Access changed while the query ran: answer as if the query had started now.
            var regrant = (await policy.GetAsync(ct)).ReadGrantFor(actor.UserId, database.Id, clock.GetUtcNow());
            outcome = regrant.IsEmpty || !regrant.AllTables
                ? new QueryOutcome.Denied([])
                : new QueryOutcome.Invalid("The query was stopped because access changed while it ran; run it again.");
        }

        switch (outcome)
        {
            case QueryOutcome.Success s:
                await AuditAsync(actor, database, AuditLog.Allowed, new
                {
                    statement = statementForAudit,
                    tables = s.TablesRead.Select(t => $"{t.Schema}.{t.Name}"),
                    rowCount = s.Rows.Count,
                    s.Truncated,
                    s.TruncatedBy,
                    elapsedMs,
                    breakGlass,
                });
                return new QueryResponse(s.Columns.Select(c => new QueryColumn(c.Name, c.Type)).ToList(), s.Rows, s.Rows.Count, s.Truncated, elapsedMs, s.TruncatedBy);

            case QueryOutcome.Denied d:
                var denied = d.Tables.Select(t => new DeniedResource(database.Id, t.Schema, t.Name)).ToList();
                await AuditAsync(actor, database, AuditLog.Denied, new { statement = statementForAudit, reason = "access-denied", denied, elapsedMs });
                throw AccessDenied(database, denied);

            case QueryOutcome.ReadOnlyViolation r:
                await AuditAsync(actor, database, AuditLog.Denied, new { statement = statementForAudit, reason = "read-only", message = r.Message, elapsedMs });
                throw new ApiProblem(400, "read-only", "Read-only", r.Message);

            case QueryOutcome.TimedOut t:
                await AuditAsync(actor, database, AuditLog.Failure, new { statement = statementForAudit, reason = "timeout", elapsedMs });
                throw new ApiProblem(400, "statement-timeout", "Statement timed out",
                    $"The statement ran longer than {t.Limit.TotalSeconds:0.###} s and was stopped.");

            case QueryOutcome.Invalid i:
                await AuditAsync(actor, database, AuditLog.Failure, new { statement = statementForAudit, reason = "invalid-statement", message = i.Message, elapsedMs });
                throw new ApiProblem(400, "invalid-statement", "Invalid statement", i.Message);

            default:
                throw new InvalidOperationException($"Unhandled query outcome {outcome.GetType().Name}.");
        }
    }

    /// <summary>Runs the statement; null when access changed and the query was stopped.</summary>
    private async Task<QueryOutcome?> ExecuteAsync(Actor actor, PolicyDatabase database, ReadGrant grant, string statement, QueryLimits limits, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var registration = running.Register(actor.UserId, cts);
        try
        {
            if (!engines.TryGet(database.Engine, out var engine))
            {
                return new QueryOutcome.Invalid($"Queries on {database.Engine} databases are not supported by this version of JitGate.");
            }
            if (engine.Roles is null)
            {
                // The engine enforces the grant itself on each statement (SQLite's authorizer and program check).
                return await engine.RunAsync(new EngineQuery(new EngineEndpoint(null, database.Path), database.Name, grant, null, statement, limits), cts.Token);
            }
            // The engine enforces the grant through the user's own login, brought in line first.
            var login = await reconcile.QueryLoginAsync(actor.UserId, database, cts.Token);
            var server = await targets.ServerAsync(db, database.InstanceId, cts.Token);
            return await engine.RunAsync(new EngineQuery(new EngineEndpoint(server, null), database.Name, grant,
                new EngineLogin(login.RoleName, login.Password), statement, limits), cts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
        catch (EngineException e)
        {
            throw new ApiProblem(503, "engine-unavailable", "Database unavailable", $"JitGate could not reach {database.Name}: {e.Message}");
        }
    }

    private async Task AuditAsync(Actor actor, PolicyDatabase database, string outcome, object detail)
    {
        metrics.QueryAnswered(outcome);
        // The record is committed before the answer is sent, even when the client has gone away.
        await auditWriter.WriteAsync(audit.Create(actor, "query.execute", $"databases/{database.Id}", outcome, detail, database.Id));
    }

    private static ApiProblem AccessDenied(PolicyDatabase database, List<DeniedResource> denied)
    {
        var names = denied.Count == 0 ? database.Name : string.Join(", ", denied.Select(d => $"{d.Schema}.{d.Table}"));
        var requestBody = new
        {
            role = ProjectRoles.SqlEditorUser,
            scope = denied.Count == 0
                ? (object)new { databases = new[] { database.Id } }
                : new { tables = denied.Select(d => new { database = d.Database, schema = d.Schema, table = d.Table }) },
            duration = "PT1H",
            reason = "",
        };
        return new ApiProblem(403, "access-denied", "Access denied",
            $"You have no read access to {names} in database {database.Name}. Request access to query it.",
            new Dictionary<string, object?>
            {
                ["deniedResources"] = denied,
                ["requestable"] = database.ProjectId is not null,
                ["accessRequest"] = database.ProjectId is null ? null : new
                {
                    href = $"/api/v1/projects/{database.ProjectId}/access-requests",
                    body = requestBody,
                },
            });
    }
}
