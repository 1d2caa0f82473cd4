using System.Text.Json;
using System.Text.Json.Nodes;

namespace JitGate.Cli;

/// <summary>
/// Where JitGate is and who the CLI acts as: <c>JITGATE_URL</c> and <c>JITGATE_TOKEN</c> when set, otherwise what
/// <c>jitgate login</c> saved in <c>$XDG_CONFIG_HOME/jitgate/config.json</c> (<c>~/.config/jitgate/config.json</c>),
/// a file only its owner may read (0600). A saved token is sent only to the address it was saved for: pointing
/// the CLI elsewhere (<c>--url</c>, <c>JITGATE_URL</c>) does not carry the token there.
/// </summary>
internal sealed record Settings(string? Url, string? Token)
{
    /// <summary>The config file: <c>$XDG_CONFIG_HOME/jitgate/config.json</c>, else <c>~/.config/jitgate/config.json</c>.</summary>
    public static string ConfigPath
    {
        get
        {
            var home = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            return Path.Combine(home, "jitgate", "config.json");
        }
    }

    /// <summary>What <c>jitgate login</c> saved, whatever the environment says; null when nothing is saved.</summary>
    public static Settings? Saved()
    {
        if (!File.Exists(ConfigPath)) return null;
        try
        {
            var saved = JsonNode.Parse(File.ReadAllText(ConfigPath));
            return new Settings(saved?["url"]?.GetValue<string>(), saved?["token"]?.GetValue<string>());
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // A damaged file is as good as none; jitgate login writes it anew.
            return null;
        }
    }

    /// <summary>Deletes the saved address and token.</summary>
    public static void Forget() => File.Delete(ConfigPath);

    /// <summary>The address to use (<paramref name="urlOption"/>, else JITGATE_URL, else the saved one) and the token for it.</summary>
    public static Settings Load(string? urlOption = null)
    {
        var (savedUrl, savedToken) = Saved() is { } saved ? (saved.Url, saved.Token) : (null, null);
        var url = urlOption ?? (Environment.GetEnvironmentVariable("JITGATE_URL") is { Length: > 0 } envUrl ? envUrl : savedUrl);
        var token = Environment.GetEnvironmentVariable("JITGATE_TOKEN") is { Length: > 0 } envToken ? envToken
            : url is not null && SameAddress(url, savedUrl) ? savedToken : null;
        return new Settings(url, token);
    }

    /// <summary>The address and token for later commands, written to a temporary file created 0600 and moved into place.</summary>
    public static void Save(string url, string token)
    {
        var path = ConfigPath;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.Delete(temp);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        {
            JsonSerializer.Serialize(stream, new JsonObject { ["url"] = url, ["token"] = token });
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Scheme, host and port alike, and the same path but for a trailing slash.</summary>
    private static bool SameAddress(string a, string? b) =>
        b is not null && Uri.TryCreate(a.TrimEnd('/') + "/", UriKind.Absolute, out var x) && Uri.TryCreate(b.TrimEnd('/') + "/", UriKind.Absolute, out var y)
        && Uri.Compare(x, y, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
}
