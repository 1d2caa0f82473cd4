using System.Globalization;
using System.Text;
using JitGate.Tests.Risk.CelSpec;
using Xunit.Abstractions;

namespace JitGate.Tests.Risk;

/// <summary>
/// cel-spec's conformance cases (tests/simple/testdata, copied under Risk/CelSpec) for the sections risk
/// conditions rely on, run against JitGate's CEL. Cases that need protocol buffer message types, unknown
/// values or declared functions are counted apart, with their reason; of the rest at least 95% must agree.
/// </summary>
public sealed class CelConformanceTests(ITestOutputHelper output)
{
    internal static readonly string[] Files = ["basic", "comparisons", "logic", "integer_math", "string", "lists", "parse", "macros"];

    internal static string DataDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "JitGate.Tests", "Risk", "CelSpec");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("tests/JitGate.Tests/Risk/CelSpec not found above the test binaries.");
    }

    internal static List<SpecCase> LoadAll() =>
        [.. Files.SelectMany(f => SpecCase.Load(f, File.ReadAllText(Path.Combine(DataDirectory(), f + ".textproto"))))];

    [Fact]
    public void At_least_95_percent_of_the_cases_without_protobuf_messages_agree_with_cel_spec()
    {
        var cases = LoadAll();
        var report = new StringBuilder();
        var failures = new List<string>();
        int passed = 0, counted = 0;
        foreach (var file in cases.GroupBy(c => c.File))
        {
            int filePassed = 0, fileCounted = 0;
            foreach (var c in file.Where(c => c.SkipReason is null))
            {
                fileCounted++;
                var (ok, detail) = SpecRunner.Judge(c, new JitGateCelEvaluator());
                if (ok) filePassed++;
                else failures.Add($"{c.Id}: {c.Expr} -> {detail}");
            }
            var skipped = file.Where(c => c.SkipReason is not null).GroupBy(c => c.SkipReason)
                .Select(g => $"{g.Count()} {g.Key}");
            report.AppendLine(CultureInfo.InvariantCulture, $"{file.Key}: {filePassed}/{fileCounted} agree; left out: {string.Join("; ", skipped.DefaultIfEmpty("none"))}");
            passed += filePassed;
            counted += fileCounted;
        }
        report.AppendLine(CultureInfo.InvariantCulture, $"total: {passed}/{counted} ({100.0 * passed / counted:0.0}%)");
        output.WriteLine(report.ToString());
        output.WriteLine("Disagreements:");
        foreach (var f in failures) output.WriteLine(f);

        Assert.True(counted > 500, $"Only {counted} cases were counted; the data files did not load as expected.");
        Assert.True(passed >= counted * 0.95, $"{passed}/{counted} agree, below 95%:\n{report}\n{string.Join("\n", failures)}");
    }
}
