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

    public SampleRowWriter(SqliteConnection connection)
    {
        _employee = Prepare(connection, "INSERT INTO employee VALUES ($1, $2, $3, $4, $5, $6)", 6);
        _department = Prepare(connection, "INSERT INTO department VALUES ($1, $2)", 2);
        _deptEmp = Prepare(connection, "INSERT INTO dept_emp VALUES ($1, $2, $3, $4)", 4);
        _deptManager = Prepare(connection, "INSERT INTO dept_manager VALUES ($1, $2, $3, $4)", 4);
        _title = Prepare(connection, "INSERT INTO title VALUES ($1, $2, $3, $4)", 4);
        _salary = Prepare(connection, "INSERT INTO salary VALUES ($1, $2, $3, $4)", 4);
    }

    public void Employee(long empNo, string birth, string first, string last, string gender, string hire) =>
        Run(_employee, empNo, birth, first, last, gender, hire);

    public void Department(string deptNo, string name) => Run(_department, deptNo, name);

    public void DeptEmp(long empNo, string deptNo, string from, string to) => Run(_deptEmp, empNo, deptNo, from, to);

    public void DeptManager(long empNo, string deptNo, string from, string to) =>
        Run(_deptManager, empNo, deptNo, from, to);

    public void Title(long empNo, string title, string from, string to) => Run(_title, empNo, title, from, to);

    public void Salary(long empNo, long amount, string from, string to) => Run(_salary, empNo, amount, from, to);

    public void Dispose()
    {
        _employee.Dispose();
        _department.Dispose();
        _deptEmp.Dispose();
        _deptManager.Dispose();
        _title.Dispose();
        _salary.Dispose();
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
