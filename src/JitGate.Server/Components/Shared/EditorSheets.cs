using System.Text.Json;

namespace JitGate.Server.Components.Shared;

/// <summary>One editor tab: its statement and the database it runs on.</summary>
public sealed class EditorSheet
{
    public string Title { get; set; } = "Query 1";
    public string Statement { get; set; } = "";
    public string? Database { get; set; }
}

/// <summary>
/// The SQL editor's tabs as kept in the browser's local storage, one set per user, so a reload finds
/// the same tabs, statements and databases (the statement is saved by the page's script as it is typed).
/// </summary>
public sealed class EditorSheets
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public List<EditorSheet> Sheets { get; set; } = [];

    /// <summary>The index of the open tab.</summary>
    public int Active { get; set; }

    [System.Text.Json.Serialization.JsonIgnore]
    public EditorSheet Current => Sheets[Math.Clamp(Active, 0, Sheets.Count - 1)];

    /// <summary>The local storage key of a user's sheets.</summary>
    public static string KeyFor(long userId) => $"jitgate.editor.{userId}";

    /// <summary>Reads what the browser kept; a new single tab when there is nothing usable.</summary>
    public static EditorSheets Parse(string? json, string defaultStatement)
    {
        EditorSheets? sheets = null;
        try
        {
            sheets = string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<EditorSheets>(json, JsonOptions);
        }
        catch (JsonException)
        {
            // Something else wrote there: start afresh.
        }
        if (sheets is null || sheets.Sheets.Count == 0) sheets = new EditorSheets { Sheets = [new EditorSheet { Statement = defaultStatement }] };
        sheets.Active = Math.Clamp(sheets.Active, 0, sheets.Sheets.Count - 1);
        return sheets;
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Adds a tab with the next free "Query n" title and opens it.</summary>
    public EditorSheet Add(string? database)
    {
        var n = 1;
        while (Sheets.Any(s => s.Title == $"Query {n}")) n++;
        var sheet = new EditorSheet { Title = $"Query {n}", Database = database };
        Sheets.Add(sheet);
        Active = Sheets.Count - 1;
        return sheet;
    }
}
