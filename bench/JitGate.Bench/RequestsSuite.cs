using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace JitGate.Bench;

/// <summary>
/// Access requests over HTTP with many pending: the real flow (an admin signs up, creates a developer and
/// a project owner, binds them; prod is high risk and high needs a project owner's approval), thousands
/// of requests left pending by the developer, then create-and-approve pairs: the developer asks for
/// sqlEditorUser on hr_prod, the owner approves, which grants a binding.
/// </summary>
internal static class RequestsSuite
{
    private static readonly string[] ProdOnly = ["hr_prod"];
    private const string CreatePath = "/api/v1/projects/sample/access-requests";

    public static async Task RunAsync(BenchArgs args)
    {
        var pending = args.Int("pending", 10_000);
        var requests = args.Int("requests", 1000, positional: true);
        var limit = TimeSpan.FromSeconds(args.Double("seconds", 30));
        var clientCounts = args.Ints("clients", [1, 8]);
        // none, healthy (answers 200 at once) or hang (never answers): delivery is from the outbox, so
        // creating a request should cost the same with any receiver.
        var webhook = args.String("webhook", "none");
        Machine.Print();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"access requests: create + approve with {pending:N0} pending, {requests} pairs per run (time bound {limit.TotalSeconds:0} s), clients {string.Join(",", clientCounts)}"));

        // The webhook receiver listens on loopback, which JitGate refuses to deliver to by default.
        await using var server = ServerProcess.Start(environment: new Dictionary<string, string> { ["JitGate__WebhooksToPrivateNetworks"] = "true" });
        using var admin = await server.SignupAdminAsync(TimeSpan.FromSeconds(60));
        await StoryFlow.SetUpAsync(admin);

        await using var receiver = webhook == "none" ? null : await WebhookReceiver.StartAsync(hang: webhook == "hang");
        if (receiver is not null)
        {
            await Http.ExpectAsync(admin.PostAsJsonAsync("/api/v1/projects/sample/webhooks", new { type = "generic", url = receiver.Url, secret = "bench" }));
            Console.WriteLine($"webhook receiver: {webhook} at {receiver.Url}");
        }

        var (dev, owner) = await StoryFlow.SignInAsync(server);
        using var devClient = dev;
        using var ownerClient = owner;
        var body = Http.Body(new { role = "sqlEditorUser", scope = new { databases = ProdOnly }, duration = "PT1H", reason = "benchmark: need to read prod" });

        // The first request shows the flow is the real one: high risk, one projectOwner step, pending.
        var first = await CreateAsync(dev, body);
        if (first.Risk != "high" || first.Status != "pendingApproval")
        {
            throw new InvalidOperationException($"expected a high-risk pending request, got {first.Risk}/{first.Status}");
        }

        var seedClock = Stopwatch.StartNew();
        var seeded = await LoadDriver.RunAsync("seed: create (left pending)", 8, pending - 1, TimeSpan.FromMinutes(10), 0, _ => CreateAsync(dev, body));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seeded {seeded.Latencies.Count + 1:N0} pending requests through the API at concurrency 8 in {seedClock.Elapsed.TotalSeconds:0.0} s ({seeded.Throughput:0} creates/s)"));
        Console.WriteLine(LoadResult.Header("operation"));
        Console.WriteLine(seeded.Row());

        // The lists an approver and a requester open, with every request pending.
        foreach (var (name, client, url) in new (string, HttpClient, string)[]
        {
            ("owner: GET /access-requests?filter=waitingForMe", owner, "/api/v1/access-requests?filter=waitingForMe"),
            ("owner: GET /projects/sample/access-requests?status=", owner, "/api/v1/projects/sample/access-requests?status=pendingApproval"),
            ("dev: GET /access-requests?filter=mine", dev, "/api/v1/access-requests?filter=mine"),
        })
        {
            var count = 0;
            var listed = await LoadDriver.RunAsync(name, 1, 30, TimeSpan.FromSeconds(60), 2, async _ => count = (await PageAsync(client, url)).Count);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{listed.Row()}  {count:N0} on the first page"));
            // Every page, following Link rel="next" until there is none.
            var total = 0;
            var pages = 0;
            var walk = Stopwatch.StartNew();
            for (var next = url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "limit=100"; next is not null; pages++)
            {
                var (n, link) = await PageAsync(client, next);
                total += n;
                next = link;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  all pages of 100: {total:N0} requests in {pages} pages, {walk.Elapsed.TotalMilliseconds:0} ms ({walk.Elapsed.TotalMilliseconds / pages:0.0} ms a page)"));
        }

        foreach (var clients in clientCounts)
        {
            var creates = new ConcurrentBag<double>();
            var approves = new ConcurrentBag<double>();
            var pairs = await LoadDriver.RunAsync("create + approve (pair)", clients, requests, limit, Math.Max(20, clients * 4), async i =>
            {
                var started = Stopwatch.GetTimestamp();
                var created = await CreateAsync(dev, body);
                var between = Stopwatch.GetTimestamp();
                var approved = await PostAsync(owner, $"/api/v1/access-requests/{created.Id}/approve", Http.Body(new { comment = "ok" }));
                if (approved.GetProperty("status").GetString() != "approved") throw new InvalidOperationException("approval did not grant");
                if (i >= 0)
                {
                    creates.Add(Stopwatch.GetElapsedTime(started, between).TotalMicroseconds);
                    approves.Add(Stopwatch.GetElapsedTime(between).TotalMicroseconds);
                }
            });
            Console.WriteLine(Part("  of which create", clients, creates, pairs.Elapsed).Row());
            Console.WriteLine(Part("  of which approve", clients, approves, pairs.Elapsed).Row());
            Console.WriteLine(pairs.Row());
        }
        Console.WriteLine("ops/s of a pair row = create + approve pairs per second; the 'of which' rows share the pair's wall time.");
        if (receiver is not null) Console.WriteLine($"webhook deliveries received during the run: {receiver.Received}");
    }

    private static LoadResult Part(string name, int clients, ConcurrentBag<double> latencies, TimeSpan elapsed)
    {
        var list = latencies.ToList();
        list.Sort();
        return new LoadResult(name, clients, list, elapsed, false);
    }

    /// <summary>One page: how many requests it holds, and the next page's URL from its Link header (null on the last).</summary>
    private static async Task<(int Count, string? Next)> PageAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        var link = response.Headers.TryGetValues("Link", out var links) ? links.Single() : null;
        return (doc.RootElement.GetArrayLength(), link is null ? null : link[1..link.IndexOf('>', StringComparison.Ordinal)]);
    }

    private sealed record Created(long Id, string? Risk, string? Status);

    private static async Task<Created> CreateAsync(HttpClient dev, byte[] body)
    {
        var answer = await PostAsync(dev, CreatePath, body);
        return new Created(answer.GetProperty("id").GetInt64(), answer.GetProperty("riskLevel").GetString(), answer.GetProperty("status").GetString());
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(path, content);
        var text = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(text)}");
        }
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }
}
