namespace JitGate.Core.Policy.Cel;

/// <summary>
/// A node of a parsed expression. <see cref="Position"/> is the 0-based character offset the node is
/// reported at (an operator's own offset for operators); <see cref="Height"/> is the length of the longest
/// path to a leaf, which bounds the recursion of every later walk.
/// </summary>
internal abstract record CelNode(int Position)
{
    public int Height { get; init; } = 1;
}

/// <summary>A literal: long, ulong, double, string, <see cref="CelBytes"/>, bool or <see cref="CelNull"/>.</summary>
internal sealed record CelLiteral(int Position, object Value) : CelNode(Position);

internal sealed record CelIdent(int Position, string Name) : CelNode(Position);

/// <summary><c>operand.field</c>: a map entry, or a part of a qualified variable name such as <c>resource.db_engine</c>.</summary>
internal sealed record CelSelect(int Position, CelNode Operand, string Field) : CelNode(Position);

/// <summary>
/// A function or operator call. Operators use cel-spec's internal names (<c>_+_</c>, <c>_&amp;&amp;_</c>,
/// <c>_?_:_</c>, <c>_[_]</c>, <c>!_</c>, <c>-_</c>, <c>@in</c>); a method call has a <see cref="Target"/>.
/// </summary>
internal sealed record CelCall(int Position, CelNode? Target, string Function, IReadOnlyList<CelNode> Args) : CelNode(Position);

internal sealed record CelListLiteral(int Position, IReadOnlyList<CelNode> Items) : CelNode(Position);

internal sealed record CelMapLiteral(int Position, IReadOnlyList<(CelNode Key, CelNode Value)> Entries) : CelNode(Position);

/// <summary>Operator names as cel-spec writes them (langdef "Functions").</summary>
internal static class CelOps
{
    public const string And = "_&&_";
    public const string Or = "_||_";
    public const string Not = "!_";
    public const string Negate = "-_";
    public const string Conditional = "_?_:_";
    public const string Index = "_[_]";
    public const string In = "@in";
    public const string Equal = "_==_";
    public const string NotEquals = "_!=_";
    public const string Less = "_<_";
    public const string LessEquals = "_<=_";
    public const string Greater = "_>_";
    public const string GreaterEquals = "_>=_";
    public const string Add = "_+_";
    public const string Subtract = "_-_";
    public const string Multiply = "_*_";
    public const string Divide = "_/_";
    public const string Modulo = "_%_";

    /// <summary>The operator as a person writes it, for messages.</summary>
    public static string Display(string function) => function switch
    {
        In => "in",
        Index => "[]",
        Conditional => "?:",
        Not => "!",
        Negate => "-",
        _ when function.Length > 2 && function[0] == '_' && function[^1] == '_' => function[1..^1],
        _ => function,
    };
}
