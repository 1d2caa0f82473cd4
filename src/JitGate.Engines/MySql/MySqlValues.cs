using System.Globalization;
using MySqlConnector;

namespace JitGate.Engines.MySql;

/// <summary>
/// Turns the values MySqlConnector reads into JSON-friendly ones, and counts their JSON size. Mapping:
/// integer types, YEAR and BIT → long (an UNSIGNED BIGINT above long's range → decimal); FLOAT, DOUBLE →
/// double; DECIMAL → decimal when it fits, otherwise its exact text; TINYINT(1) → bool; DATE →
/// "2024-01-31"; DATETIME, TIMESTAMP → "2024-01-31T12:00:00.5" (zero dates as the server prints them);
/// TIME → "-838:59:59"; BLOB, BINARY, VARBINARY, GEOMETRY → byte[]; everything else (text, JSON, ENUM,
/// SET) → string.
/// </summary>
internal static class MySqlValues
{
    /// <summary>The value of column <paramref name="i"/> of the current row, converted.</summary>
    public static object? Read(MySqlDataReader reader, int i)
    {
        if (reader.IsDBNull(i))
        {
            return null;
        }

        var type = reader.GetDataTypeName(i);
        if (type is "DECIMAL" or "NEWDECIMAL")
        {
            var exact = reader.GetMySqlDecimal(i);
            return decimal.TryParse(exact.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var m) ? m : exact.ToString();
        }

        return reader.GetValue(i) switch
        {
            bool b => b,
            sbyte or byte or short or ushort or int or uint or long => Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture),
            ulong u => u <= long.MaxValue ? (long)u : (decimal)u,
            float f => (double)f,
            double d => d,
            decimal m => m,
            DateTime t => type == "DATE" ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : Timestamp(t),
            MySqlDateTime z => type == "DATE" ? $"{z.Year:D4}-{z.Month:D2}-{z.Day:D2}"
                : $"{z.Year:D4}-{z.Month:D2}-{z.Day:D2}T{z.Hour:D2}:{z.Minute:D2}:{z.Second:D2}" + Fraction(z.Microsecond * 10L),
            TimeSpan s => Time(s),
            byte[] bytes => bytes,
            MySqlGeometry g => g.Value,
            string text => text,
            var other => Convert.ToString(other, CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The JSON size of a converted value, as <see cref="AnswerBudget"/> counts it.</summary>
    public static long JsonSize(object? value) => value switch
    {
        string s => AnswerBudget.Text(System.Text.Encoding.UTF8.GetByteCount(s)),
        byte[] b => AnswerBudget.Binary(b.Length),
        _ => AnswerBudget.Scalar,
    };

    private static string Timestamp(DateTime t)
    {
        var text = t.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        return text.EndsWith('.') ? text[..^1] : text;
    }

    private static string Time(TimeSpan s)
    {
        var sign = s < TimeSpan.Zero ? "-" : "";
        var a = s.Duration();
        return $"{sign}{(long)a.TotalHours:D2}:{a.Minutes:D2}:{a.Seconds:D2}" + Fraction(a.Ticks % TimeSpan.TicksPerSecond);
    }

    /// <summary>".5" for 5,000,000 ticks; "" for none.</summary>
    private static string Fraction(long ticks) =>
        ticks == 0 ? "" : "." + ticks.ToString("D7", CultureInfo.InvariantCulture).TrimEnd('0');
}
