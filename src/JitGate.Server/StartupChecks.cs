namespace JitGate.Server;

/// <summary>What start-up checks before anything else, so that a bad data folder is one plain sentence and a non-zero exit, not a stack trace.</summary>
internal static class StartupChecks
{
    /// <summary>Why the data folder cannot be used (missing and not creatable, read-only, full); null when it can.</summary>
    public static string? DataFolderProblem(string dataDir)
    {
        var full = Path.GetFullPath(dataDir);
        try
        {
            Directory.CreateDirectory(full);
            // Named per process: replicas sharing a data folder start at the same moment.
            var probe = Path.Combine(full, $".write-probe-{Environment.ProcessId}-{Guid.NewGuid():n}");
            using (var file = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
            {
                file.Write(new byte[4096]);
                file.Flush(flushToDisk: true);
            }
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = JitGate.Core.Persistence.StoreHealth.Unwritable(e) ?? e.Message;
            return $"JitGate cannot start: its data folder '{full}' cannot be written ({why}). "
                + "Make it writable, or point JitGate__DataDir at a writable folder, then start JitGate again.";
        }
    }

    /// <summary>Why a JitGate__TrustedProxies entry cannot be used; null when every entry is an address or a CIDR network.</summary>
    public static string? TrustedProxiesProblem(IReadOnlyList<string>? entries)
    {
        foreach (var entry in entries ?? [])
        {
            if (!System.Net.IPNetwork.TryParse(entry, out _) && !System.Net.IPAddress.TryParse(entry, out _))
            {
                return $"JitGate cannot start: JitGate__TrustedProxies entry '{entry}' is neither an address (10.0.0.5) nor a CIDR network (10.0.0.0/8).";
            }
        }
        return null;
    }

    /// <summary>The files the console cannot work without, as the browser asks for them.</summary>
    public static readonly IReadOnlyList<string> ConsoleAssets =
    [
        "_framework/blazor.web.js",
        "_content/MudBlazor/MudBlazor.min.css",
        "_content/MudBlazor/MudBlazor.min.js",
        "_content/BlazorMonaco/jsInterop.js",
    ];

    /// <summary>
    /// Why the console could not work: its script, styles or editor are not among the web root's files.
    /// That is the output of <c>dotnet build</c> run outside Development, which would serve them as empty
    /// answers (no styles, no interactivity, no message); <c>dotnet publish</c> copies them. Null when all are there.
    /// </summary>
    public static string? ConsoleAssetsProblem(Microsoft.Extensions.FileProviders.IFileProvider webRoot, string environment)
    {
        var missing = ConsoleAssets.Where(path => webRoot.GetFileInfo(path) is not { Exists: true, Length: > 0 }).ToList();
        if (missing.Count == 0) return null;
        return $"JitGate cannot start: the web console's files are missing ({string.Join(", ", missing)}). "
            + $"This is build output run in the {environment} environment, which has only the project's own files. Run the output of "
            + "'dotnet publish src/JitGate.Server -c Release -o <folder>' instead (see docs/DEPLOY.md), or 'dotnet run --project src/JitGate.Server' "
            + "while developing. To serve the API alone, set JitGate__Console=false.";
    }
}
