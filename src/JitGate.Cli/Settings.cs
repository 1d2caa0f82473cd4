using System.Text.Json;
using System.Text.Json.Nodes;

namespace JitGate.Cli;

/// <summary>
/// Where JitGate is and who the CLI acts as: <c>JITGATE_URL</c> and <c>JITGATE_TOKEN</c> when set, otherwise what
/// <c>jitgate login</c> saved in <c>$XDG_CONFIG_HOME/jitgate/config.json</c> (<c>~/.config/jitgate/config.json</c>),
/// a file only its owner may read.
/// </summary>
internal sealed record Settings(string? Url, string? Token)
{
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

    public static Settings Load()
    {
        string? url = null, token = null;
        if (File.Exists(ConfigPath))
        {
            try
            {
                var saved = JsonNode.Parse(File.ReadAllText(ConfigPath));
                url = saved?["url"]?.GetValue<string>();
                token = saved?["token"]?.GetValue<string>();
            }
            catch (JsonException)
            {
                // A damaged file is as good as none; jitgate login writes it anew.
            }
        }
        return new Settings(
            Environment.GetEnvironmentVariable("JITGATE_URL") is { Length: > 0 } envUrl ? envUrl : url,
            Environment.GetEnvironmentVariable("JITGATE_TOKEN") is { Length: > 0 } envToken ? envToken : token);
    }

    /// <summary>Saves the address and token for later commands, readable by the user alone.</summary>
    public static void Save(string url, string token)
    {
        var path = ConfigPath;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            JsonSerializer.Serialize(stream, new JsonObject { ["url"] = url, ["token"] = token });
        }
        File.Move(temp, path, overwrite: true);
    }
}
