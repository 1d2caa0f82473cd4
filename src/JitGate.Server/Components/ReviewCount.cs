namespace JitGate.Server.Components;

/// <summary>
/// Tells the console's frame (one per browser tab) that a break-glass review was decided on its page, so the
/// navigation's count of open reviews follows without a navigation.
/// </summary>
public sealed class ReviewCount
{
    /// <summary>Raised on the circuit's dispatcher after a decision.</summary>
    public event Action? Changed;

    public void Decided() => Changed?.Invoke();
}
