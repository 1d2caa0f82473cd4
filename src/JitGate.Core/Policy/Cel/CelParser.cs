using System.Globalization;
using Superpower;
using Superpower.Model;
using Superpower.Parsers;
using Superpower.Tokenizers;

namespace JitGate.Core.Policy.Cel;

/// <summary>
/// Parses the CEL subset of risk conditions: literals (strings, integers, booleans, lists), variables,
/// ! &amp;&amp; || == != &lt; &lt;= &gt; &gt;= in + - * / %, parentheses, and method calls such as
/// <c>database_name.startsWith("hr_")</c>.
/// </summary>
internal static class CelParser
{
    private static readonly Tokenizer<CelToken> Tokenizer = new TokenizerBuilder<CelToken>()
        .Ignore(Span.WhiteSpace)
        .Match(Span.EqualTo("&&"), CelToken.And)
        .Match(Span.EqualTo("||"), CelToken.Or)
        .Match(Span.EqualTo("=="), CelToken.Eq)
        .Match(Span.EqualTo("!="), CelToken.Neq)
        .Match(Span.EqualTo("<="), CelToken.Le)
        .Match(Span.EqualTo(">="), CelToken.Ge)
        .Match(Character.EqualTo('<'), CelToken.Lt)
        .Match(Character.EqualTo('>'), CelToken.Gt)
        .Match(Character.EqualTo('!'), CelToken.Not)
        .Match(Character.EqualTo('('), CelToken.LParen)
        .Match(Character.EqualTo(')'), CelToken.RParen)
        .Match(Character.EqualTo('['), CelToken.LBracket)
        .Match(Character.EqualTo(']'), CelToken.RBracket)
        .Match(Character.EqualTo(','), CelToken.Comma)
        .Match(Character.EqualTo('.'), CelToken.Dot)
        .Match(Character.EqualTo('+'), CelToken.Plus)
        .Match(Character.EqualTo('-'), CelToken.Minus)
        .Match(Character.EqualTo('*'), CelToken.Star)
        .Match(Character.EqualTo('/'), CelToken.Slash)
        .Match(Character.EqualTo('%'), CelToken.Percent)
        .Match(QuotedString.CStyle, CelToken.String)
        .Match(QuotedString.SqlStyle, CelToken.String)
        .Match(Numerics.Integer, CelToken.Integer, requireDelimiters: true)
        .Match(Identifier.CStyle, CelToken.Identifier, requireDelimiters: true)
        .Build();

    private static readonly Func<Token<CelToken>, CelNode, CelNode, CelNode> Binary =
        (op, left, right) => new CelBinary(op.Position.Absolute, op.ToStringValue(), left, right);

    private static TokenListParser<CelToken, Token<CelToken>> Op(params CelToken[] kinds) =>
        kinds.Select(k => Token.EqualTo(k)).Aggregate((a, b) => a.Or(b));

    private static readonly TokenListParser<CelToken, CelNode> Literal =
        Token.EqualTo(CelToken.String).Select(t => (CelNode)new CelLiteral(t.Position.Absolute, Unquote(t.ToStringValue())))
            .Or(Token.EqualTo(CelToken.Integer).Select(t => (CelNode)new CelLiteral(t.Position.Absolute,
                long.Parse(t.ToStringValue(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture))));

    private static readonly TokenListParser<CelToken, CelNode> Name =
        Token.EqualTo(CelToken.Identifier).Select(t => t.ToStringValue() switch
        {
            "true" => (CelNode)new CelLiteral(t.Position.Absolute, true),
            "false" => new CelLiteral(t.Position.Absolute, false),
            var name => new CelVariable(t.Position.Absolute, name),
        });

    private static readonly TokenListParser<CelToken, CelNode> ListLiteral =
        from open in Token.EqualTo(CelToken.LBracket)
        from items in Parse.Ref(() => Expression!).ManyDelimitedBy(Token.EqualTo(CelToken.Comma))
        from close in Token.EqualTo(CelToken.RBracket)
        select (CelNode)new CelList(open.Position.Absolute, items);

    private static readonly TokenListParser<CelToken, CelNode> Group =
        Parse.Ref(() => Expression!).Between(Token.EqualTo(CelToken.LParen), Token.EqualTo(CelToken.RParen));

    private static readonly TokenListParser<CelToken, CelNode> Primary =
        Literal.Or(Name).Or(ListLiteral).Or(Group).Named("value");

    private static readonly TokenListParser<CelToken, (Token<CelToken> Name, CelNode[] Args)> MethodSuffix =
        from dot in Token.EqualTo(CelToken.Dot)
        from name in Token.EqualTo(CelToken.Identifier)
        from args in Parse.Ref(() => Expression!).ManyDelimitedBy(Token.EqualTo(CelToken.Comma))
            .Between(Token.EqualTo(CelToken.LParen), Token.EqualTo(CelToken.RParen))
        select (name, args);

    private static readonly TokenListParser<CelToken, CelNode> Postfix =
        from target in Primary
        from calls in MethodSuffix.Many()
        select calls.Aggregate(target, (t, c) => (CelNode)new CelCall(c.Name.Position.Absolute, t, c.Name.ToStringValue(), c.Args));

    private static readonly TokenListParser<CelToken, CelNode> Unary =
        (from op in Op(CelToken.Not, CelToken.Minus)
         from operand in Parse.Ref(() => Unary!)
         select (CelNode)new CelUnary(op.Position.Absolute, op.ToStringValue(), operand))
        .Or(Postfix);

    private static readonly TokenListParser<CelToken, CelNode> Multiplicative = Parse.Chain(Op(CelToken.Star, CelToken.Slash, CelToken.Percent), Unary, Binary);
    private static readonly TokenListParser<CelToken, CelNode> Additive = Parse.Chain(Op(CelToken.Plus, CelToken.Minus), Multiplicative, Binary);

    private static readonly TokenListParser<CelToken, Token<CelToken>> RelationOp =
        Op(CelToken.Eq, CelToken.Neq, CelToken.Le, CelToken.Ge, CelToken.Lt, CelToken.Gt)
            .Or(Token.EqualToValue(CelToken.Identifier, "in"));

    private static readonly TokenListParser<CelToken, CelNode> Relation = Parse.Chain(RelationOp, Additive, Binary);
    private static readonly TokenListParser<CelToken, CelNode> Conjunction = Parse.Chain(Token.EqualTo(CelToken.And), Relation, Binary);
    private static readonly TokenListParser<CelToken, CelNode> Expression = Parse.Chain(Token.EqualTo(CelToken.Or), Conjunction, Binary);
    private static readonly TokenListParser<CelToken, CelNode> Condition = Expression.AtEnd();

    public static CelNode ParseCondition(string text)
    {
        var tokens = Tokenizer.TryTokenize(text);
        if (!tokens.HasValue)
        {
            throw new CelException($"{tokens.FormatErrorMessageFragment()} at position {tokens.ErrorPosition.Absolute + 1}.", tokens.ErrorPosition.Absolute);
        }
        var result = Condition.TryParse(tokens.Value);
        if (!result.HasValue)
        {
            var position = result.ErrorPosition.HasValue ? result.ErrorPosition.Absolute : text.Length;
            throw new CelException($"Syntax error at position {position + 1}: {result.FormatErrorMessageFragment()}.", position);
        }
        return result.Value;
    }

    private static string Unquote(string quoted)
    {
        var body = quoted[1..^1];
        return quoted[0] == '\'' ? body.Replace("''", "'", StringComparison.Ordinal) : System.Text.RegularExpressions.Regex.Unescape(body);
    }
}
