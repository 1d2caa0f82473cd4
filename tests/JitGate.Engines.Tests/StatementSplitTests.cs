using JitGate.Engines.MySql;
using JitGate.Engines.Postgres;
using JitGate.Engines.Sqlite;

namespace JitGate.Engines.Tests;

/// <summary>Scripts split where the engine would end a statement, never inside a string, a name, a comment or a body.</summary>
public sealed class StatementSplitTests
{
    private static List<string> Sqlite(string script) => SqliteStatements.Split(script).Select(s => s.Of(script)).ToList();

    private static List<string> MySql(string script) => MySqlStatements.Split(script).Select(s => s.Of(script)).ToList();

    private static List<string> Postgres(string script) => PostgresStatements.Split(script).Select(s => s.Of(script)).ToList();

    [Fact]
    public void Sqlite_splits_at_semicolons_outside_strings_names_comments_and_trigger_bodies()
    {
        Assert.Equal(["select 1;", "select 'a;b' as \"x;y\";", "select 3"], Sqlite("select 1;\n  select 'a;b' as \"x;y\";  select 3"));
        Assert.Equal(["select 1 -- one; two\n;"], Sqlite("select 1 -- one; two\n;"));
        Assert.Equal(["select /* ; */ 2;"], Sqlite("select /* ; */ 2;"));
        Assert.Equal(["create trigger t after insert on a begin select 1; select 2; end;", "select 3;"],
            Sqlite("create trigger t after insert on a begin select 1; select 2; end; select 3;"));
    }

    [Fact]
    public void Sqlite_leaves_out_blank_and_comment_only_pieces()
    {
        Assert.Equal(["select 1;", "select 2;"], Sqlite(";; select 1; -- nothing\n ; /* nor this */ ;select 2;\n-- trailing"));
        Assert.Empty(Sqlite("  -- only a comment\n"));
    }

    [Fact]
    public void Postgres_respects_quotes_escapes_dollar_quotes_and_nested_comments()
    {
        Assert.Equal(["select 'it''s;';", "select E'a\\';b';", "select \"a;\"\"b\" from t;"],
            Postgres("select 'it''s;'; select E'a\\';b'; select \"a;\"\"b\" from t;"));
        Assert.Equal(["select $$a;b$$;", "select $fn$ x; $$ y; $fn$;", "select $1;"],
            Postgres("select $$a;b$$; select $fn$ x; $$ y; $fn$; select $1;"));
        Assert.Equal(["select /* a /* b; */ c; */ 1;", "select 2"], Postgres("select /* a /* b; */ c; */ 1; select 2"));
        Assert.Equal(["select 1 -- x; y\n;"], Postgres("select 1 -- x; y\n;"));
    }

    [Fact]
    public void Postgres_leaves_out_blank_and_comment_only_pieces()
    {
        Assert.Equal(["select 1;", "select 2"], Postgres(" ; select 1; -- c\n; /* d */ ; select 2"));
        Assert.Empty(Postgres("-- nothing\n/* at all */"));
    }

    [Fact]
    public void MySql_respects_quotes_with_backslash_escapes_and_doubled_quotes_and_backquoted_names()
    {
        Assert.Equal(["select 'it''s;';", "select 'a\\';b';", "select \"x;\"\"y\", \"a\\\";\";", "select `a;``b` from t;", "select 3"],
            MySql("select 'it''s;'; select 'a\\';b'; select \"x;\"\"y\", \"a\\\";\"; select `a;``b` from t; select 3"));
        // A backslash does not escape inside back-quotes: `a\` is a name, and the ; after it ends the statement.
        Assert.Equal(["select 1 as `a\\`;", "select 2"], MySql("select 1 as `a\\`; select 2"));
    }

    [Fact]
    public void MySql_comments_hide_semicolons_but_only_dash_dash_space_starts_one()
    {
        Assert.Equal(["select 1 # one; two\n;", "select 2 -- x; y\n;"], MySql("select 1 # one; two\n; select 2 -- x; y\n;"));
        // --1 is arithmetic, not a comment: the semicolon after it ends the statement.
        Assert.Equal(["select 5--1;", "select 2"], MySql("select 5--1; select 2"));
        Assert.Equal(["select 1 --\tx;\n;"], MySql("select 1 --\tx;\n;"));
        // Block comments do not nest: the first */ ends it.
        Assert.Equal(["select /* a /* b; */ 1;", "select 2"], MySql("select /* a /* b; */ 1; select 2"));
        Assert.Equal(["select /*+ MAX_EXECUTION_TIME(1) */ 1;"], MySql("select /*+ MAX_EXECUTION_TIME(1) */ 1;"));
    }

    [Fact]
    public void MySql_executable_comments_are_code()
    {
        // An executable comment alone is a statement, never a comment-only piece left out.
        Assert.Equal(["/*!40101 SET @x = 1 */;", "/*M!100500 select 2 */;", "select /*! 'a;b', */ 3;"],
            MySql("/*!40101 SET @x = 1 */; /* plain */ ; /*M!100500 select 2 */; select /*! 'a;b', */ 3;"));
        // A semicolon inside one ends the statement, as the server's own lexer reads it.
        Assert.Equal(["/*! select 1;", "select 2 */"], MySql("/*! select 1; select 2 */"));
        // A comment inside an executable comment is a comment.
        Assert.Equal(["/*! select 1 # ;\n */;"], MySql("/*! select 1 # ;\n */;"));
    }

    [Fact]
    public void MySql_leaves_out_blank_and_comment_only_pieces()
    {
        Assert.Equal(["select 1;", "select 2"], MySql(" ; select 1; # c\n; -- d\n; /* e */ ; select 2"));
        Assert.Empty(MySql("# nothing\n-- at all\n/* here */"));
        Assert.Equal(["select 'unterminated; still one"], MySql("select 'unterminated; still one"));
    }
}
