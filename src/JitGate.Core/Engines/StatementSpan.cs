namespace JitGate.Core.Engines;

/// <summary>One statement of a script: where it starts in the text and how long it is (its semicolon included).</summary>
/// <param name="Start">The offset of its first character that is not whitespace.</param>
/// <param name="Length">Its length, up to and including its semicolon, or to the end of the text for the last one.</param>
public readonly record struct StatementSpan(int Start, int Length)
{
    /// <summary>The statement's text within <paramref name="script"/>.</summary>
    public string Of(string script) => (script ?? throw new ArgumentNullException(nameof(script))).Substring(Start, Length);
}
