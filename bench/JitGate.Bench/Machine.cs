using System.Globalization;

namespace JitGate.Bench;

/// <summary>The line every suite prints first: cores, memory, date, and the load at the start.</summary>
internal static class Machine
{
    public static string Line()
    {
        var memory = ProcStatus.MemTotalBytes() is { } total
            ? $"{total / (1024.0 * 1024 * 1024):0.0} GiB memory"
            : $"{GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB memory";
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        return string.Create(CultureInfo.InvariantCulture,
            $"machine: {Environment.ProcessorCount} cores, {memory}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, .NET {Environment.Version}, load average at start {load}");
    }

    public static void Print() => Console.WriteLine(Line());
}

/// <summary>Reads /proc: a process's status fields and the machine's memory.</summary>
internal static class ProcStatus
{
    public static long ReadBytes(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
            var parts = line[(field.Length + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
        }
        throw new InvalidOperationException($"/proc/{pid}/status has no {field}.");
    }

    public static long? MemTotalBytes()
    {
        if (!File.Exists("/proc/meminfo")) return null;
        var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    public static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB");
}
