namespace JitGate.Core.Policy.Cel;

internal enum CelToken
{
    Identifier, String, Integer,
    LParen, RParen, LBracket, RBracket, Comma, Dot,
    And, Or, Not,
    Eq, Neq, Lt, Le, Gt, Ge,
    Plus, Minus, Star, Slash, Percent,
}

/// <summary>A node of a parsed condition; <see cref="Position"/> is the 0-based character offset.</summary>
internal abstract record CelNode(int Position);

internal sealed record CelLiteral(int Position, object Value) : CelNode(Position);

internal sealed record CelVariable(int Position, string Name) : CelNode(Position);

internal sealed record CelList(int Position, IReadOnlyList<CelNode> Items) : CelNode(Position);

internal sealed record CelUnary(int Position, string Op, CelNode Operand) : CelNode(Position);

internal sealed record CelBinary(int Position, string Op, CelNode Left, CelNode Right) : CelNode(Position);

internal sealed record CelCall(int Position, CelNode Target, string Method, IReadOnlyList<CelNode> Args) : CelNode(Position);

/// <summary>A condition that does not parse or type-check, with where.</summary>
public sealed class CelException : Exception
{
    public CelException(string message, int position) : base(message) => Position = position;
    public CelException() { }
    public CelException(string message) : base(message) { }
    public CelException(string message, Exception inner) : base(message, inner) { }

    /// <summary>0-based character offset of the problem in the condition.</summary>
    public int Position { get; }
}
