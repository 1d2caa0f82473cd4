using System.Security.Cryptography;
using JitGate.Engines.Sqlite;
using Microsoft.Data.Sqlite;

namespace JitGate.Engines.Tests;

/// <summary>Temp folders, the generated sample, and a copy of the externally made sample.</summary>
internal static class TestDatabases
{
    public static string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "jitgate-engine-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>The employee sample made by someone else, found beside the repository root.</summary>
    public static string SharedSamplePath()
    {
        var relative = Path.Combine("shared", "sample-data", "employee", "sqlite", "employee.db");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"The shared sample database ({relative}) was not found in any folder above {AppContext.BaseDirectory}; these tests need it beside the repository.");
        return "";
    }

    public static string CopySharedSample(string folder)
    {
        var copy = Path.Combine(folder, "shared-employee.db");
        File.Copy(SharedSamplePath(), copy, overwrite: true);
        File.SetAttributes(copy, FileAttributes.Normal);
        return copy;
    }

    public static string Generate(string folder, int employees = 1000, int seed = 42, string name = "generated.db")
    {
        var path = Path.Combine(folder, name);
        SampleDatabaseGenerator.Create(path, employees, seed);
        return path;
    }

    public static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    public static long Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Every row of a table as text, in storage order.</summary>
    public static List<string> Dump(string path, string table)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{table}\" ORDER BY rowid";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            var values = new object[reader.FieldCount];
            reader.GetValues(values);
            rows.Add(string.Join('|', values));
        }

        return rows;
    }
}

/// <summary>One generated sample and one copy of the shared sample, made once for a test class.</summary>
public sealed class SampleDatabasesFixture : IDisposable
{
    public SampleDatabasesFixture()
    {
        Folder = TestDatabases.NewFolder();
        Generated = TestDatabases.Generate(Folder);
        Shared = TestDatabases.CopySharedSample(Folder);
    }

    public string Folder { get; }

    public string Generated { get; }

    public string Shared { get; }

    public string PathOf(string database) => database == "shared" ? Shared : Generated;

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
