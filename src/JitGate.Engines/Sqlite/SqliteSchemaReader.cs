using Microsoft.Data.Sqlite;

namespace JitGate.Engines.Sqlite;

/// <summary>Reads the tables and views of a SQLite target database.</summary>
public static class SqliteSchemaReader
{
    /// <summary>
    /// Lists the tables and views of schema "main" (kind "table" or "view") with their columns and
    /// declared types, without SQLite's internal sqlite_* tables. The file is opened read-only.
    /// </summary>
    /// <param name="path">Path of the database file.</param>
    /// <exception cref="SqliteEngineException">The file is missing, unreadable, or not a SQLite database.</exception>
    public static IReadOnlyList<CatalogTable> Read(string path)
    {
        using var connection = SqliteFiles.OpenReadOnly(path);
        try
        {
            var objects = SqliteFiles.ReadObjects(connection);
            using var columns = connection.CreateCommand();
            columns.CommandText = "SELECT name, type FROM pragma_table_info($name, 'main') ORDER BY cid";
            var name = columns.Parameters.Add("$name", SqliteType.Text);

            var tables = new List<CatalogTable>(objects.Count);
            foreach (var (objectName, kind) in objects)
            {
                name.Value = objectName;
                var list = new List<CatalogColumn>();
                using (var reader = columns.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        list.Add(new CatalogColumn(reader.GetString(0), reader.GetString(1)));
                    }
                }

                tables.Add(new CatalogTable("main", objectName, kind, list));
            }

            return tables;
        }
        catch (SqliteException ex)
        {
            throw SqliteFiles.Translate(path, ex.SqliteErrorCode, ex.Message, ex);
        }
    }
}
