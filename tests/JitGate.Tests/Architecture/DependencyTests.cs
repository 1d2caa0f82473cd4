using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace JitGate.Tests.Architecture;

/// <summary>
/// Policy decides, engines carry out, behind the interface Core owns (DESIGN.md): Core never depends on an
/// engine, and never asks which engine it talks to by comparing names.
/// </summary>
public sealed partial class DependencyTests
{
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "JitGate.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException("The repository root (JitGate.slnx) was not found above the test binaries.");
    }

    [Fact]
    public void Core_references_no_engine_project_or_assembly()
    {
        var project = XDocument.Load(Path.Combine(RepositoryRoot(), "src", "JitGate.Core", "JitGate.Core.csproj"));
        var references = project.Descendants("ProjectReference").Select(r => (string?)r.Attribute("Include") ?? "").ToList();
        Assert.DoesNotContain(references, r => r.Contains("Engines", StringComparison.OrdinalIgnoreCase));

        var assemblies = typeof(JitGate.Core.Engines.ITargetEngine).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain("JitGate.Engines", assemblies);
        // And the other way round: the engines implement what Core declares.
        Assert.Contains("JitGate.Core", typeof(JitGate.Engines.EngineServices).Assembly.GetReferencedAssemblies().Select(a => a.Name));
    }

    [Fact]
    public void Core_never_picks_an_engine_by_comparing_its_name()
    {
        var core = Path.Combine(RepositoryRoot(), "src", "JitGate.Core");
        var offenders = Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(core, f), Line: i + 1, Text: line)))
            .Where(l => EngineComparison().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.True(offenders.Count == 0, "Core compares engine names:\n" + string.Join("\n", offenders));
    }

    [GeneratedRegex("""Engine\s*(==|!=)\s*"|case\s+"(sqlite|postgres|mysql)"\s*:|"(sqlite|postgres|mysql)"\s*=>""")]
    private static partial Regex EngineComparison();
}
