using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace JitGate.Cli;

/// <summary>
/// JitGate's public HTTP API, called only by <see cref="Route"/>. Problem answers become <see cref="CliException"/>s
/// with the exit code they mean: 400 usage, 401 and 403 denied, anything else failed.
/// </summary>
internal sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly CliException? _unusable;

    /// <summary>A client that fails at its first call: arguments are checked (exit 2) before a missing sign-in (exit 3) is told.</summary>
    private ApiClient(CliException unusable)
    {
        _unusable = unusable;
        _http = new HttpClient();
        BaseAddress = new Uri("http://unusable.invalid/");
    }

    public ApiClient(string url, string? token)
    {
        if (!Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            throw new CliException(ExitCodes.Usage, $"'{url}' is not JitGate's address; give one such as https://jitgate.example.com (JITGATE_URL or --url).");
        }
        BaseAddress = address;
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(100) };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("jitgate-cli/" + typeof(ApiClient).Assembly.GetName().Version?.ToString(3));
        if (token is not null) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public Uri BaseAddress { get; }

    /// <summary>
    /// Where the routes the CLI called are written, one "METHOD template" a line, for the tests that hold them to the
    /// OpenAPI document: a file per process in the folder JITGATE_TRACE_ROUTES names, as processes running at
    /// once would overwrite each other's lines in one file.
    /// </summary>
    private static readonly string? TraceFile = Environment.GetEnvironmentVariable("JITGATE_TRACE_ROUTES") is { Length: > 0 } folder
        ? Path.Combine(folder, $"{Environment.ProcessId}.txt")
        : null;

    public static ApiClient FromSettings(string? urlOption)
    {
        var settings = Settings.Load(urlOption);
        if (settings.Url is not { } url) return new ApiClient(new CliException(ExitCodes.Usage, "Where is JitGate? Set JITGATE_URL (or pass --url), or run jitgate login --url https://jitgate.example.com."));
        if (settings.Token is null) return new ApiClient(new CliException(ExitCodes.Denied, $"Not signed in to {url}: run jitgate login --url {url}, or set JITGATE_TOKEN to a personal token."));
        return new ApiClient(url, settings.Token);
    }

    public Task<JsonNode?> GetAsync(Route route, IReadOnlyDictionary<string, string>? values, string? query, CancellationToken ct) =>
        SendAsync(route, values, query, null, ct);

    public async Task<JsonNode?> SendAsync(Route route, IReadOnlyDictionary<string, string>? values, string? query, object? body, CancellationToken ct)
    {
        if (_unusable is not null) throw _unusable;
        using var request = new HttpRequestMessage(route.Method, route.Path(values, query));
        if (body is not null) request.Content = JsonContent.Create(body, options: Output.JsonOptions);
        if (TraceFile is not null) await File.AppendAllTextAsync(TraceFile, route + Environment.NewLine, ct);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliException(ExitCodes.Failed, $"Cannot reach JitGate at {BaseAddress}: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Failed, $"JitGate at {BaseAddress} did not answer in time.");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode) return text.Length == 0 ? null : JsonNode.Parse(text);
            throw Failure(response.StatusCode, text);
        }
    }

    private static CliException Failure(HttpStatusCode status, string text)
    {
        JsonObject? problem = null;
        try
        {
            problem = JsonNode.Parse(text) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            // Not problem+json (a proxy's page, say): the status alone tells.
        }
        var detail = problem?["detail"]?.GetValue<string>() ?? $"JitGate answered {(int)status} {status}.";
        var code = status switch
        {
            HttpStatusCode.BadRequest => ExitCodes.Usage,
            HttpStatusCode.Unauthorized => ExitCodes.Denied,
            HttpStatusCode.Forbidden => ExitCodes.Denied,
            _ => ExitCodes.Failed,
        };
        if (status == HttpStatusCode.Unauthorized) detail += " Run jitgate login (or set JITGATE_TOKEN).";
        return new CliException(code, detail, problem);
    }

    public void Dispose() => _http.Dispose();
}
