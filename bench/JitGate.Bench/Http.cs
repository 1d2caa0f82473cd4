using System.Net.Http.Headers;
using System.Text.Json;

namespace JitGate.Bench;

internal static class Http
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>A JSON body serialized once, so the client's cost is the same for every target.</summary>
    public static byte[] Body(object value) => JsonSerializer.SerializeToUtf8Bytes(value, Web);

    /// <summary>POSTs <paramref name="body"/>, reads the whole answer and returns its length; throws on a non-2xx status.</summary>
    public static async Task<int> PostAsync(HttpClient client, string path, byte[] body) => (await PostForBytesAsync(client, path, body)).Length;

    /// <summary>POSTs <paramref name="body"/> and returns the whole answer; throws on a non-2xx status.</summary>
    public static async Task<byte[]> PostForBytesAsync(HttpClient client, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        using var response = await client.PostAsync(path, content);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(bytes)}");
        }
        return bytes;
    }

    /// <summary>GETs <paramref name="path"/>, reads the whole answer and returns its length; throws on a non-2xx status.</summary>
    public static async Task<int> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(bytes)}");
        }
        return bytes.Length;
    }

    /// <summary>Awaits a call and throws, with the method, URI, status and body, unless it answered 2xx.</summary>
    public static async Task ExpectAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public static HttpClient Client(Uri baseAddress, string? bearer = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromMinutes(5),
        };
        if (bearer is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }
}
