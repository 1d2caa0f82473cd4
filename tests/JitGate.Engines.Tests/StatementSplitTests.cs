using JitGate.Engines.Postgres;
using JitGate.Engines.Sqlite;

namespace JitGate.Engines.Tests;

/// <summary>Scripts split where the engine would end a statement, never inside a string, a name, a comment or a body.</summary>
public sealed class StatementSplitTests
{
    private static List<string> Sqlite(string script) => SqliteStatements.Split(script).Select(s => s.Of(script)).ToList();

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
}
