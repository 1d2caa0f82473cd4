using System.Globalization;
using Microsoft.Data.Sqlite;

namespace JitGate.Engines.Sqlite;

/// <summary>
/// Prepared insert commands for the sample tables, created once and reused for every row: parsing
/// each INSERT once is what keeps millions of rows fast.
/// </summary>
internal sealed class SampleRowWriter : IDisposable
{
    private readonly SqliteCommand _employee;
    private readonly SqliteCommand _department;
    private readonly SqliteCommand _deptEmp;
    private readonly SqliteCommand _deptManager;
    private readonly SqliteCommand _title;
    private readonly SqliteCommand _salary;
    private readonly Dictionary<DateOnly, string> _dates = [];

    public SampleRowWriter(SqliteConnection connection)
    {
        _employee = Prepare(connection, "INSERT INTO employee VALUES ($1, $2, $3, $4, $5, $6)", 6);
        _department = Prepare(connection, "INSERT INTO department VALUES ($1, $2)", 2);
        _deptEmp = Prepare(connection, "INSERT INTO dept_emp VALUES ($1, $2, $3, $4)", 4);
        _deptManager = Prepare(connection, "INSERT INTO dept_manager VALUES ($1, $2, $3, $4)", 4);
        _title = Prepare(connection, "INSERT INTO title VALUES ($1, $2, $3, $4)", 4);
        _salary = Prepare(connection, "INSERT INTO salary VALUES ($1, $2, $3, $4)", 4);
    }

    /// <summary>Inserts <paramref name="row"/> into its table; dates are stored as <c>yyyy-MM-dd</c> text.</summary>
    public void Write(in SampleRow row)
    {
        switch (row.Table)
        {
            case SampleTable.Department:
                Run(_department, row.Text, row.Name);
                break;
            case SampleTable.Employee:
                Run(_employee, (long)row.EmpNo, Date(row.From), row.Text, row.Name, row.Gender, Date(row.To));
                break;
            case SampleTable.DeptEmp:
                Run(_deptEmp, (long)row.EmpNo, row.Text, Date(row.From), Date(row.To));
                break;
            case SampleTable.DeptManager:
                Run(_deptManager, (long)row.EmpNo, row.Text, Date(row.From), Date(row.To));
                break;
            case SampleTable.Title:
                Run(_title, (long)row.EmpNo, row.Text, Date(row.From), Date(row.To));
                break;
            case SampleTable.Salary:
                Run(_salary, (long)row.EmpNo, (long)row.Amount, Date(row.From), Date(row.To));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(row), row.Table, "Unknown sample table.");
        }
    }

    public void Dispose()
    {
        _employee.Dispose();
        _department.Dispose();
        _deptEmp.Dispose();
        _deptManager.Dispose();
        _title.Dispose();
        _salary.Dispose();
    }

    /// <summary>The text of a date, formatted once per distinct day (the sample uses a few thousand days).</summary>
    private string Date(DateOnly date)
    {
        if (!_dates.TryGetValue(date, out var text))
        {
            text = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            _dates[date] = text;
        }

        return text;
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql, int parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 1; i <= parameters; i++)
        {
            command.Parameters.Add(new SqliteParameter("$" + i, null));
        }

        command.Prepare();
        return command;
    }

    private static void Run(SqliteCommand command, params ReadOnlySpan<object> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }

        command.ExecuteNonQuery();
    }
}
