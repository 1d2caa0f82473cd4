using JitGate.Core.Common;

namespace JitGate.Core.Engines;

/// <summary>The engines this JitGate carries, by name (the <c>engine</c> of an instance).</summary>
public sealed class EngineRegistry(IEnumerable<ITargetEngine> engines)
{
    private readonly Dictionary<string, ITargetEngine> _byName = engines.ToDictionary(e => e.Name, StringComparer.Ordinal);

    /// <summary>The engines' names, in order.</summary>
    public IReadOnlyList<string> Names => [.. _byName.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The engine of a stored instance or database.</summary>
    /// <exception cref="InvalidOperationException">No such engine in this build (a store written by a newer JitGate).</exception>
    public ITargetEngine this[string name] =>
        _byName.TryGetValue(name, out var engine) ? engine : throw new InvalidOperationException($"This JitGate has no '{name}' engine.");

    /// <summary>The engine a request names.</summary>
    /// <exception cref="ApiProblem">400 naming <c>engine</c> and the engines there are.</exception>
    public ITargetEngine Require(string? name) =>
        name is not null && _byName.TryGetValue(name, out var engine)
            ? engine
            : throw ApiProblem.Validation($"engine must be one of {string.Join(", ", Names.Select(n => $"\"{n}\""))}.",
                new Dictionary<string, object?> { ["field"] = "engine" });

    /// <summary>The engine, when this build has it.</summary>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out ITargetEngine engine) => _byName.TryGetValue(name, out engine);
}
