using System.Text.Json.Nodes;
using JitGate.Core.Common;
using JitGate.Core.Domain;
using JitGate.Core.Features.Webhooks;
using JitGate.Core.Persistence;

namespace JitGate.Core.Features.Slack;

/// <summary>
/// Keeps what JitGate owes Slack (a message for a response_url) in the metadata store until it is
/// posted. Slack wants every answer within 3 seconds; posting to a response_url can take longer, so the
/// HTTP answer goes first and the post follows from here, retried by <see cref="SlackOutboxSender"/>.
/// </summary>
public sealed class SlackOutbox(JitGateDb db, SecretBox secrets, TimeProvider clock, SlackOutboxSignal signal)
{
    /// <summary>
    /// Stores <paramref name="message"/> for <paramref name="responseUrl"/> and wakes the sender. A missing or
    /// non-http(s) URL stores nothing: there is nowhere to post.
    /// </summary>
    public async Task<bool> PostLaterAsync(string? responseUrl, JsonObject message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!Uri.TryCreate(responseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || responseUrl!.Length > 3000) return false;
        var now = clock.GetUtcNow();
        db.SlackOutbound.Add(new SlackOutboundMessage
        {
            ProtectedUrl = secrets.Protect(url.ToString()),
            BodyJson = message.ToJsonString(),
            Status = DeliveryStatus.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
        });
        await db.SaveChangesAsync(ct);
        signal.Wake();
        return true;
    }
}

/// <summary>
/// Wakes the Slack sender as soon as something is stored, so an answer is posted at once rather than on
/// the next poll; the poll remains for what another replica stored and for retries.
/// </summary>
public sealed class SlackOutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Releases the semaphore (at shutdown, with the container).</summary>
    public void Dispose() => _wake.Dispose();

    /// <summary>Asks for a pass now (several calls before the pass make one).</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A pass is already asked for.
        }
    }

    /// <summary>Waits for <see cref="Wake"/> or <paramref name="interval"/> on <paramref name="clock"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan interval, TimeProvider clock, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var woken = _wake.WaitAsync(linked.Token);
        var timer = Task.Delay(interval, clock, linked.Token);
        await Task.WhenAny(woken, timer);
        await linked.CancelAsync();
        ct.ThrowIfCancellationRequested();
    }
}
