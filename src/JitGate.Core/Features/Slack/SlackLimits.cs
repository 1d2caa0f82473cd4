namespace JitGate.Core.Features.Slack;

/// <summary>
/// Block Kit's documented limits (Slack's "Blocks", "Block elements" and "Composition objects" reference
/// pages), and the truncation that keeps JitGate's messages inside them. Slack refuses a whole message that
/// breaks any one limit, so a long reason must be cut rather than sent.
/// </summary>
public static class SlackLimits
{
    /// <summary>Blocks in one message.</summary>
    public const int Blocks = 50;
    /// <summary>Characters in a section block's text.</summary>
    public const int SectionText = 3000;
    /// <summary>Characters in a header block's plain_text.</summary>
    public const int HeaderText = 150;
    /// <summary>Characters in a button's text.</summary>
    public const int ButtonText = 75;
    /// <summary>Characters in a button's value.</summary>
    public const int ButtonValue = 2000;
    /// <summary>Characters in a button's url.</summary>
    public const int ButtonUrl = 3000;
    /// <summary>Elements in an actions block.</summary>
    public const int ActionElements = 25;
    /// <summary>Elements in a context block.</summary>
    public const int ContextElements = 10;
    /// <summary>Characters in any text object (a context element's text among them).</summary>
    public const int TextObject = 3000;
    /// <summary>
    /// Characters in a message's top-level text: Slack cuts at 40,000 and asks for at most 4,000; JitGate keeps
    /// it to a section's 3,000, since it is the same summary shown in notifications.
    /// </summary>
    public const int MessageText = 3000;

    /// <summary>What ends a cut text: the ellipsis.</summary>
    public const string Ellipsis = "…";

    /// <summary>
    /// Cuts already-escaped mrkdwn to at most <paramref name="max"/> characters, ending it with "…" and, when
    /// a link is given, "&lt;link|Read it all in JitGate&gt;" on a line of its own. Never cuts inside an
    /// escape (<c>&amp;amp;</c>), a link (<c>&lt;…&gt;</c>) or a surrogate pair, so what remains still renders.
    /// </summary>
    public static string FitMrkdwn(string escaped, int max, string? link)
    {
        ArgumentNullException.ThrowIfNull(escaped);
        if (escaped.Length <= max) return escaped;
        var tail = Ellipsis + (link is null ? "" : $"\n<{link}|Read it all in JitGate>");
        if (tail.Length >= max) tail = Ellipsis;
        var cut = SafeCut(escaped, max - tail.Length);
        return escaped[..cut] + tail;
    }

    /// <summary>Cuts plain text (a button, a header) to at most <paramref name="max"/> characters, ending it with "…".</summary>
    public static string FitPlain(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= max) return text;
        var cut = max - Ellipsis.Length;
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1])) cut--;
        return text[..Math.Max(0, cut)] + Ellipsis;
    }

    /// <summary>The longest prefix no longer than <paramref name="limit"/> that ends outside an escape, a link and a surrogate pair.</summary>
    private static int SafeCut(string text, int limit)
    {
        var cut = Math.Max(0, limit);
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1])) cut--;
        // An entity is at most "&amp;" long (5); an unfinished one just before the cut is dropped whole.
        var amp = text.LastIndexOf('&', Math.Max(0, cut - 1), Math.Min(cut, 5));
        if (amp >= 0 && text.IndexOf(';', amp, cut - amp) < 0) cut = amp;
        // A link or mention "<...>" cut in half would show raw markup or break the message.
        var open = text.LastIndexOf('<', Math.Max(0, cut - 1), cut);
        if (open >= 0 && text.IndexOf('>', open, cut - open) < 0) cut = open;
        return cut;
    }
}
