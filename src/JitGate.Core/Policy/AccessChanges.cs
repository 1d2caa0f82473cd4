namespace JitGate.Core.Policy;

/// <summary>
/// The one signal that access may have changed: bindings, users, groups or databases, on this replica
/// (raised by <see cref="PolicyCache.Invalidate"/>) or on another replica sharing the store (raised
/// when <see cref="PolicyCache"/> notices the change stamp moved), and bindings running out. Open
/// console pages subscribe to show the change at once instead of after a reload. It carries no detail:
/// listeners read the current policy again.
/// </summary>
public sealed class AccessChanges
{
    /// <summary>Raised after a change committed; handlers run on the raising thread and must not block.</summary>
    public event Action? Changed;

    /// <summary>Tells every listener; one that throws does not keep the others from hearing it.</summary>
    public void Raise()
    {
        foreach (var handler in Changed?.GetInvocationList() ?? [])
        {
            try
            {
                ((Action)handler)();
            }
#pragma warning disable CA1031 // A page that failed to refresh must not fail the change that already committed.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
