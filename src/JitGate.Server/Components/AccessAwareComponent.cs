using JitGate.Core.Policy;
using Microsoft.AspNetCore.Components;

namespace JitGate.Server.Components;

/// <summary>
/// A page that shows access (who may read what, until when) and keeps it live: when access changes
/// anywhere (a grant, a revoke, an approval, an expiry, another replica's change), it loads again,
/// without a reload of the browser page.
/// </summary>
public abstract class AccessAwareComponent : ComponentBase, IDisposable
{
    [Inject] private AccessChanges AccessChanges { get; set; } = default!;

    private bool _subscribed;

    /// <summary>Loads what the page shows of access again; runs on the circuit's dispatcher.</summary>
    protected abstract Task OnAccessChangedAsync();

    protected override void OnInitialized()
    {
        AccessChanges.Changed += Changed;
        _subscribed = true;
    }

    private void Changed() => _ = InvokeAsync(async () =>
    {
        try
        {
            await OnAccessChangedAsync();
            StateHasChanged();
        }
        catch (ObjectDisposedException)
        {
            // The page closed while the change arrived.
        }
        catch (JitGate.Core.Common.ApiProblem)
        {
            // The session ended or the object went away: the next action on the page says so.
        }
    });

    public void Dispose()
    {
        if (_subscribed) AccessChanges.Changed -= Changed;
        _subscribed = false;
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what a page holds beside the subscription.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
