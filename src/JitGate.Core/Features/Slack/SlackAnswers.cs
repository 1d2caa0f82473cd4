using JitGate.Core.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JitGate.Core.Features.Slack;

/// <summary>
/// Slack shows its user an error when an app answers a command or click after 3 seconds, even when the
/// work was done. So the work runs in a scope of its own: when it finishes within <see cref="Budget"/>
/// its reply is the HTTP answer; when it does not, Slack gets <see cref="Working"/> at once and the reply
/// follows through the response_url (from <see cref="SlackOutbox"/>). Posting to the response_url never
/// happens on the request's own time.
/// </summary>
public sealed class SlackAnswers(IServiceScopeFactory scopes, TimeProvider clock, IHostApplicationLifetime lifetime, ILogger<SlackAnswers> logger)
{
    /// <summary>How long the work may take before Slack is answered without it (Slack allows 3 s in all).</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    /// <summary>The answer while the work goes on.</summary>
    public static SlackReply Working => new("Working on it… the answer follows here.");

    private const int Pending = 0, Answered = 1, Late = 2;

    /// <summary>
    /// Runs <paramref name="work"/> and answers within <see cref="Budget"/>. When <paramref name="alwaysPost"/>
    /// (button clicks, whose HTTP answer Slack ignores) or when the work is late, its reply is posted to
    /// <paramref name="responseUrl"/> from the outbox. A refusal (<see cref="ApiProblem"/> 4xx) becomes a
    /// "Not done" reply, never an error Slack would show as a failure.
    /// </summary>
    public async Task<SlackReply> AnswerAsync(Func<IServiceProvider, CancellationToken, Task<SlackReply>> work, string? responseUrl, bool alwaysPost)
    {
        ArgumentNullException.ThrowIfNull(work);
        var state = Pending;
        // Not the request's token: Slack may hang up after 3 s, and the work must still finish and be told.
        var ct = lifetime.ApplicationStopping;
        var running = Task.Run(async () =>
        {
            await using var scope = scopes.CreateAsyncScope();
            SlackReply reply;
            try
            {
                reply = await work(scope.ServiceProvider, ct);
            }
            catch (ApiProblem p) when (p.Status is >= 400 and < 500)
            {
                reply = new SlackReply($"Not done: {p.Message}");
            }
            var late = Interlocked.CompareExchange(ref state, Answered, Pending) == Late;
            if (alwaysPost || late)
            {
                await scope.ServiceProvider.GetRequiredService<SlackOutbox>().PostLaterAsync(responseUrl, reply.ToJson(), ct);
            }
            return reply;
        }, ct);
        var first = await Task.WhenAny(running, Task.Delay(Budget, clock, ct));
        if (first != running && Interlocked.CompareExchange(ref state, Late, Pending) == Pending)
        {
            _ = running.ContinueWith(t => logger.LogError(t.Exception, "A Slack command finished with an error after it was answered"),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return Working;
        }
        return await running;
    }
}
