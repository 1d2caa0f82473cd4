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
}
