using JitGate.Core.Features.Query;

namespace JitGate.Server.Components.Shared;

/// <summary>What became of one statement the SQL editor ran: rows, a denial, an error, or not run at all.</summary>
public sealed class StatementResult(int number, string statement)
{
    /// <summary>Its place in the script, from 1.</summary>
    public int Number { get; } = number;

    public string Statement { get; } = statement;

    public bool Running { get; set; }

    /// <summary>True once it was sent to the database.</summary>
    public bool Started { get; set; }

    public QueryResponse? Response { get; set; }

    /// <summary>The engine refused it for want of access; the tables it names can be requested.</summary>
    public DeniedResult? Denied { get; set; }

    public string? Error { get; set; }

    /// <summary>Cancel stopped it, or it did not start because Cancel stopped the script.</summary>
    public bool Canceled { get; set; }

    /// <summary>The tab's title: "1 · 5 rows", "2 · denied".</summary>
    public string Title => Number + " · " + (Running ? "running"
        : Response is { } r ? $"{r.RowCount} {(r.RowCount == 1 ? "row" : "rows")}"
        : Denied is not null ? "denied"
        : Error is not null ? "error"
        : Canceled ? "canceled" : "waiting");
}

/// <summary>An access denial from the engine, with what would have to be requested.</summary>
public sealed record DeniedResult(string Message, List<DeniedResource> Tables, bool Requestable, string DatabaseId, string? Project);
