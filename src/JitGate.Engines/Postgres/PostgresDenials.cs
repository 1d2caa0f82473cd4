using Npgsql;

namespace JitGate.Engines.Postgres;

/// <summary>
/// Names what the server refused as a <see cref="TableRef"/>. The server's message names the relation
/// without its schema ("permission denied for table salary"), or names only the schema and points at
/// the relation's place in the statement; the catalog, which every login may read, fills in the rest.
/// </summary>
internal static class PostgresDenials
{
    /// <summary>
    /// The refused relation, or null when the role may read it: then the server refused something other
    /// than reading (COPY FROM, LOCK), which is a write attempt, not a missing grant.
    /// </summary>
    public static async Task<TableRef?> NameAsync(
        NpgsqlConnection connection, PostgresErrors.Refusal refusal, string statement, int position, CancellationToken ct)
    {
        if (refusal.Kind == "schema")
        {
            var name = RelationAt(statement, position, refusal.Name);
            return new TableRef(refusal.Name, name ?? "");
        }

        // Of the relations with that name, the one the role cannot read, preferring the one the
        // search path finds: that is the one an unqualified name in the statement meant.
        await using var command = new NpgsqlCommand(
            """
            select n.nspname, has_table_privilege(c.oid, 'SELECT')
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relname = $1 and c.relkind in ('r', 'v', 'm', 'f', 'p')
            order by has_table_privilege(c.oid, 'SELECT'), pg_table_is_visible(c.oid) desc, n.nspname
            limit 1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = refusal.Name });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return new TableRef("", refusal.Name);
        }

        return reader.GetBoolean(1) ? null : new TableRef(reader.GetString(0), refusal.Name);
    }

    /// <summary>
    /// The relation name in <c>schema.relation</c> at <paramref name="position"/> (1-based, as the
    /// server reports it), or null when the text there is not a name qualified by <paramref name="schema"/>.
    /// </summary>
    internal static string? RelationAt(string statement, int position, string schema)
    {
        if (position < 1 || position > statement.Length)
        {
            return null;
        }

        var i = position - 1;
        var parts = new List<string>();
        while (ReadIdentifier(statement, ref i) is { } part)
        {
            parts.Add(part);
            while (i < statement.Length && char.IsWhiteSpace(statement[i]))
            {
                i++;
            }

            if (i >= statement.Length || statement[i] != '.')
            {
                break;
            }

            i++;
            while (i < statement.Length && char.IsWhiteSpace(statement[i]))
            {
                i++;
            }
        }

        return parts.Count >= 2 && parts[^2] == schema ? parts[^1] : null;
    }

    private static string? ReadIdentifier(string text, ref int i)
    {
        if (i >= text.Length)
        {
            return null;
        }

        if (text[i] == '"')
        {
            var value = new System.Text.StringBuilder();
            for (var j = i + 1; j < text.Length; j++)
            {
                if (text[j] != '"')
                {
                    value.Append(text[j]);
                }
                else if (j + 1 < text.Length && text[j + 1] == '"')
                {
                    value.Append('"');
                    j++;
                }
                else
                {
                    i = j + 1;
                    return value.ToString();
                }
            }

            return null;
        }

        var start = i;
        while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '$'))
        {
            i++;
        }

        // Unquoted names fold to lower case, as the server folds them.
        return i > start && !char.IsDigit(text[start]) ? text[start..i].ToLowerInvariant() : null;
    }
}
