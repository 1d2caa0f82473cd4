using System.Runtime.CompilerServices;

namespace JitGate.Core.Policy.Cel;

/// <summary>
/// Parses CEL as cel-spec's langdef "Syntax" defines it, by recursive descent. Nesting (parentheses,
/// list and map literals, call arguments, ternaries, indexes) is limited to <see cref="MaxNesting"/>
/// levels and the tree to <see cref="MaxHeight"/>, so no input can exhaust the stack of the parser or
/// of the walks that follow; chains of <c>&amp;&amp;</c> and <c>||</c> are built balanced, as cel-go
/// does, so long chains stay shallow.
/// </summary>
internal sealed class CelParser
{
    /// <summary>How deeply parentheses, literals, calls and indexes may nest (cel-spec asks for at least 12; some conformance cases use 32).</summary>
    public const int MaxNesting = 64;

    /// <summary>The deepest tree any walk will meet.</summary>
    public const int MaxHeight = 160;

    private static readonly HashSet<string> Reserved =
        ["as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while", "in"];

    private readonly List<CelToken> _tokens;
    private int _next;
    private int _nesting;

    private CelParser(List<CelToken> tokens) => _tokens = tokens;

    public static CelNode Parse(string text)
    {
        var parser = new CelParser(CelLexer.Tokenize(text));
        var node = parser.ParseExpr();
        var end = parser.Peek;
        if (end.Kind != CelTokenKind.End) throw new CelException($"Syntax error at position {end.Position + 1}: unexpected '{end.Text}'.", end.Position);
        return node;
    }

    private CelToken Peek => _tokens[_next];

    private bool IsPunct(string p) => Peek.Kind == CelTokenKind.Punct && Peek.Text == p;

    private bool Accept(string p)
    {
        if (!IsPunct(p)) return false;
        _next++;
        return true;
    }

    private CelToken Expect(string p, string what)
    {
        var t = Peek;
        if (t.Kind == CelTokenKind.Punct && t.Text == p)
        {
            _next++;
            return t;
        }
        var found = t.Kind == CelTokenKind.End ? "the end of the condition" : $"'{t.Text}'";
        throw new CelException($"Syntax error at position {t.Position + 1}: expected {what}, found {found}.", t.Position);
    }

    private static T Sized<T>(T node, params CelNode?[] children) where T : CelNode
    {
        var height = 1;
        foreach (var c in children) height = Math.Max(height, 1 + (c?.Height ?? 0));
        if (height > MaxHeight)
        {
            throw new CelException($"The condition nests too deeply at position {node.Position + 1} (at most {MaxHeight} levels).", node.Position);
        }
        return node with { Height = height };
    }

    private CelNode ParseExpr()
    {
        var at = Peek.Position;
        if (++_nesting > MaxNesting || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new CelException($"The condition nests too deeply at position {at + 1} (at most {MaxNesting} levels of parentheses, lists, maps, calls and conditionals).", at);
        }
        try
        {
            var condition = ParseLogical(CelOps.Or, "||", () => ParseLogical(CelOps.And, "&&", ParseRelation));
            if (!IsPunct("?")) return condition;
            var question = Peek;
            _next++;
            var then = ParseLogical(CelOps.Or, "||", () => ParseLogical(CelOps.And, "&&", ParseRelation));
            Expect(":", "':' of the conditional");
            var otherwise = ParseExpr();
            return Sized(new CelCall(question.Position, null, CelOps.Conditional, [condition, then, otherwise]), condition, then, otherwise);
        }
        finally
        {
            _nesting--;
        }
    }

    private CelNode ParseLogical(string function, string op, Func<CelNode> operand)
    {
        var terms = new List<CelNode> { operand() };
        var positions = new List<int>();
        while (IsPunct(op))
        {
            positions.Add(Peek.Position);
            _next++;
            terms.Add(operand());
        }
        return Balance(function, terms, positions, 0, terms.Count);
    }

    // cel-go builds long && and || chains as balanced trees; evaluation order and results do not change.
    private static CelNode Balance(string function, List<CelNode> terms, List<int> positions, int from, int to)
    {
        if (to - from == 1) return terms[from];
        var mid = (from + to) / 2;
        var left = Balance(function, terms, positions, from, mid);
        var right = Balance(function, terms, positions, mid, to);
        return Sized(new CelCall(positions[mid - 1], null, function, [left, right]), left, right);
    }

    private CelNode ParseRelation()
    {
        var left = ParseAddition();
        while (true)
        {
            var t = Peek;
            string? function = t.Kind switch
            {
                CelTokenKind.Punct => t.Text switch
                {
                    "==" => CelOps.Equal, "!=" => CelOps.NotEquals, "<" => CelOps.Less, "<=" => CelOps.LessEquals,
                    ">" => CelOps.Greater, ">=" => CelOps.GreaterEquals, _ => null,
                },
                CelTokenKind.Ident when t.Text == "in" => CelOps.In,
                _ => null,
            };
            if (function is null) return left;
            _next++;
            var right = ParseAddition();
            left = Sized(new CelCall(t.Position, null, function, [left, right]), left, right);
        }
    }

    private CelNode ParseAddition()
    {
        var left = ParseMultiplication();
        while (Peek.Kind == CelTokenKind.Punct && Peek.Text is "+" or "-")
        {
            var t = Peek;
            _next++;
            var right = ParseMultiplication();
            left = Sized(new CelCall(t.Position, null, t.Text == "+" ? CelOps.Add : CelOps.Subtract, [left, right]), left, right);
        }
        return left;
    }

    private CelNode ParseMultiplication()
    {
        var left = ParseUnary();
        while (Peek.Kind == CelTokenKind.Punct && Peek.Text is "*" or "/" or "%")
        {
            var t = Peek;
            _next++;
            var right = ParseUnary();
            var function = t.Text switch { "*" => CelOps.Multiply, "/" => CelOps.Divide, _ => CelOps.Modulo };
            left = Sized(new CelCall(t.Position, null, function, [left, right]), left, right);
        }
        return left;
    }

    // As in cel-go, an even run of '!' or '-' cancels out, and '-' directly before a number literal is part of it.
    private CelNode ParseUnary()
    {
        if (!IsPunct("!") && !IsPunct("-")) return ParseMember();
        var op = Peek;
        var count = 0;
        while (IsPunct(op.Text))
        {
            count++;
            _next++;
        }
        if (op.Text == "-" && Peek.Kind == CelTokenKind.Literal && Peek.Value is IntLiteral or double)
        {
            var literal = Peek;
            _next++;
            var negated = Negative(literal, op.Position);
            var member = ParseMemberSuffixes(negated);
            return (count - 1) % 2 == 0 ? member : Sized(new CelCall(op.Position, null, CelOps.Negate, [member]), member);
        }
        var operand = ParseMember();
        if (count % 2 == 0) return operand;
        return Sized(new CelCall(op.Position, null, op.Text == "!" ? CelOps.Not : CelOps.Negate, [operand]), operand);
    }

    private static CelLiteral Negative(CelToken literal, int minus) => literal.Value switch
    {
        IntLiteral { Magnitude: <= 9223372036854775808UL } i => new CelLiteral(minus, unchecked(-(long)i.Magnitude)),
        double d => new CelLiteral(minus, -d),
        _ => throw new CelException($"The number at position {literal.Position + 1} is out of range.", literal.Position),
    };

    private CelNode ParseMember() => ParseMemberSuffixes(ParsePrimary());

    private CelNode ParseMemberSuffixes(CelNode node)
    {
        while (true)
        {
            var t = Peek;
            if (Accept("."))
            {
                var name = Peek;
                if (name.Kind != CelTokenKind.Ident)
                {
                    throw new CelException($"Syntax error at position {name.Position + 1}: expected a field or method name after '.'.", name.Position);
                }
                _next++;
                if (IsPunct("("))
                {
                    var args = ParseArguments(")");
                    node = Sized(new CelCall(name.Position, node, name.Text, args), [node, .. args]);
                }
                else
                {
                    node = Sized(new CelSelect(name.Position, node, name.Text), node);
                }
            }
            else if (IsPunct("["))
            {
                _next++;
                var index = ParseExpr();
                Expect("]", "']'");
                node = Sized(new CelCall(t.Position, null, CelOps.Index, [node, index]), node, index);
            }
            else
            {
                return node;
            }
        }
    }

    private List<CelNode> ParseArguments(string close)
    {
        Expect(close == ")" ? "(" : "[", close == ")" ? "'('" : "'['");
        var args = new List<CelNode>();
        if (Accept(close)) return args;
        while (true)
        {
            args.Add(ParseExpr());
            if (Accept(close)) return args;
            Expect(",", $"',' or '{close}'");
            if (close == "]" && Accept(close)) return args;
        }
    }

    private CelNode ParsePrimary()
    {
        var t = Peek;
        switch (t.Kind)
        {
            case CelTokenKind.Literal:
                _next++;
                return t.Value is IntLiteral i
                    ? (i.Magnitude <= long.MaxValue ? new CelLiteral(t.Position, (long)i.Magnitude)
                        : throw new CelException($"The number at position {t.Position + 1} is out of range.", t.Position))
                    : new CelLiteral(t.Position, t.Value!);
            case CelTokenKind.Ident:
                if (Reserved.Contains(t.Text)) throw new CelException($"Syntax error at position {t.Position + 1}: '{t.Text}' is a reserved word.", t.Position);
                _next++;
                if (IsPunct("("))
                {
                    var args = ParseArguments(")");
                    return Sized(new CelCall(t.Position, null, t.Text, args), [.. args]);
                }
                return new CelIdent(t.Position, t.Text);
            case CelTokenKind.Punct when t.Text == "(":
                {
                    _next++;
                    var inner = ParseExpr();
                    Expect(")", "')'");
                    return inner;
                }
            case CelTokenKind.Punct when t.Text == "[":
                {
                    var items = ParseArguments("]");
                    return Sized(new CelListLiteral(t.Position, items), [.. items]);
                }
            case CelTokenKind.Punct when t.Text == "{":
                return ParseMap();
            case CelTokenKind.Punct when t.Text == ".":
                throw new CelException($"Syntax error at position {t.Position + 1}: names starting with '.' (message types) are not supported.", t.Position);
            case CelTokenKind.End:
                throw new CelException($"Syntax error at position {t.Position + 1}: the condition ends where a value is expected.", t.Position);
            default:
                throw new CelException($"Syntax error at position {t.Position + 1}: unexpected '{t.Text}' where a value is expected.", t.Position);
        }
    }

    private CelMapLiteral ParseMap()
    {
        var open = Peek;
        _next++;
        if (++_nesting > MaxNesting) throw new CelException($"The condition nests too deeply at position {open.Position + 1}.", open.Position);
        try
        {
            var entries = new List<(CelNode, CelNode)>();
            var children = new List<CelNode>();
            while (!Accept("}"))
            {
                var key = ParseExpr();
                Expect(":", "':' between a map key and its value");
                var value = ParseExpr();
                entries.Add((key, value));
                children.Add(key);
                children.Add(value);
                if (Accept("}")) break;
                Expect(",", "',' or '}'");
            }
            return Sized(new CelMapLiteral(open.Position, entries), [.. children]);
        }
        finally
        {
            _nesting--;
        }
    }
}
