using System.Text;
using JitGate.Core.Common;

namespace JitGate.Core.Features.Catalog;

/// <summary>Readable ids (hr_prod, sample) that are safe in URLs.</summary>
public static class Slug
{
    public static string From(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text.Trim().ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '-') sb.Append(c);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }
        var slug = sb.ToString().Trim('-');
        return slug.Length > 60 ? slug[..60] : slug;
    }

    public static string Require(string? id, string field)
    {
        var value = id?.Trim() ?? "";
        if (value.Length == 0 || value.Length > 60 || From(value) != value)
        {
            throw ApiProblem.Validation($"{field} must be 1 to 60 lower-case letters, digits, '-' or '_'.");
        }
        return value;
    }
}
