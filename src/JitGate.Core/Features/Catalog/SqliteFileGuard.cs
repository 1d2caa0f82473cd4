using System.Runtime.InteropServices;
using JitGate.Core.Common;
using Microsoft.Extensions.Options;

namespace JitGate.Core.Features.Catalog;

/// <summary>
/// Decides which files may be registered as SQLite databases. A path is judged by the file it really is,
/// not by how it is spelled: <c>/proc/self/root/…</c>, symbolic links, <c>..</c> and hard links all reach
/// the same file. Refused: anything under <c>/proc</c>, <c>/dev</c> and <c>/sys</c>; anything that is not
/// a regular file; any file that is one of JitGate's own (its metadata store, key ring, anything in its data
/// folder except the generated sample databases), compared by device and inode after opening; and, when
/// <see cref="JitGateOptions.SqliteRoots"/> is set, anything outside those folders.
/// </summary>
public sealed partial class SqliteFileGuard(IOptions<JitGateOptions> options)
{
    private static readonly string[] SystemTrees = ["/proc", "/dev", "/sys"];

    /// <summary>The file's canonical path, after every check.</summary>
    /// <exception cref="ApiProblem">400 <c>validation</c> naming <c>path</c> and why it is refused.</exception>
    public string Check(string? path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw Refuse("path is required for a SQLite instance: the database file on the JitGate server.");
        if (path.Length > 4096 || path.Any(char.IsControl)) throw Refuse("path must be a file path without control characters.");
        var full = Path.GetFullPath(path);
        var real = RealPath(full) ?? throw Refuse($"No file at '{path}' on the JitGate server.");
        if (SystemTrees.Any(tree => Under(real, tree))) throw Refuse("Files under /proc, /dev and /sys cannot be registered as databases.");

        var roots = (options.Value.SqliteRoots ?? []).Where(r => !string.IsNullOrWhiteSpace(r)).Select(r => RealPath(Path.GetFullPath(r)) ?? r).ToList();
        if (roots.Count > 0 && !roots.Any(root => Under(real, root)))
        {
            throw Refuse($"SQLite databases may only be registered from {string.Join(", ", roots)} (JitGate__SqliteRoots); '{path}' is elsewhere.");
        }

        var identity = Identify(real) ?? throw Refuse($"'{path}' is not a regular file that JitGate can read.");
        var dataDir = RealPath(Path.GetFullPath(options.Value.DataDir)) ?? Path.GetFullPath(options.Value.DataDir);
        var sampleDir = Path.Combine(dataDir, "sample");
        if ((Under(real, dataDir) && !Under(real, sampleDir)) || OwnFiles(dataDir, sampleDir).Contains(identity))
        {
            throw Refuse("JitGate's own data folder cannot be registered as a database; copy the file elsewhere first.");
        }

        return real;
    }

    private static ApiProblem Refuse(string detail) =>
        ApiProblem.Validation(detail, new Dictionary<string, object?> { ["field"] = "path" });

    private static bool Under(string path, string folder) =>
        path == folder || path.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>(device, inode) of every file JitGate keeps in its data folder, the sample databases excepted.</summary>
    private static HashSet<(ulong, ulong)> OwnFiles(string dataDir, string sampleDir)
    {
        var own = new HashSet<(ulong, ulong)>();
        if (!Directory.Exists(dataDir)) return own;
        foreach (var file in Directory.EnumerateFiles(dataDir, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
        {
            if (Under(file, sampleDir)) continue;
            if (Identify(file) is { } id) own.Add(id);
        }
        return own;
    }

    /// <summary>The canonical path (every link and dot segment resolved), or null when it does not resolve.</summary>
    private static string? RealPath(string path)
    {
        var resolved = NativeMethods.realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return null;
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            NativeMethods.free(resolved);
        }
    }

    /// <summary>(device, inode) of the file as opened, or null when it cannot be opened for reading or is not a regular file.</summary>
    private static (ulong Device, ulong Inode)? Identify(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var buffer = new byte[256];
            if (NativeMethods.fstat((int)handle.DangerousGetHandle(), buffer) != 0) return null;
            // struct stat (glibc): st_dev and st_ino first on both; st_mode after st_nlink on x86-64, before it on arm64.
            var modeOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;
            var mode = BitConverter.ToUInt32(buffer, modeOffset);
            const uint TypeMask = 0xF000, Regular = 0x8000;
            return (mode & TypeMask) == Regular ? (BitConverter.ToUInt64(buffer, 0), BitConverter.ToUInt64(buffer, 8)) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern IntPtr realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

        [DllImport("libc")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern void free(IntPtr pointer);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int fstat(int fd, [Out] byte[] buffer);
    }
}
