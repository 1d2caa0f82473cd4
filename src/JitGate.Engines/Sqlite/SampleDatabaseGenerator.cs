using System.Globalization;
using Microsoft.Data.Sqlite;

namespace JitGate.Engines.Sqlite;

/// <summary>
/// Creates SQLite databases with the shape of the employee sample (tables employee, department,
/// dept_emp, dept_manager, title, salary and views current_dept_emp, dept_emp_latest_date), filled
/// with deterministic made-up data.
/// </summary>
public static class SampleDatabaseGenerator
{
    private static readonly DateOnly Forever = new(9999, 1, 1);
    private static readonly DateOnly Horizon = new(2002, 8, 1);
    private static readonly DateOnly FirstHire = new(1985, 1, 1);
    private static readonly DateOnly FirstBirth = new(1952, 2, 1);

    /// <summary>
    /// Creates (or atomically replaces) the database at <paramref name="path"/> with
    /// <paramref name="employees"/> employees. The same arguments always give the same rows.
    /// The file is built under a temporary name beside the target and renamed into place, so a
    /// crash never leaves a half-made database at <paramref name="path"/>.
    /// </summary>
    /// <param name="path">Where the database file goes; its folder is created if missing.</param>
    /// <param name="employees">Number of employees (0 or more); about 9 salary rows each.</param>
    /// <param name="seed">Seed of the pseudo-random generator.</param>
    public static void Create(string path, int employees, int seed = 42)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegative(employees);

        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Fill(temporary, employees, seed);
            // synchronous=OFF skipped every fsync while filling; one fsync before the rename makes the
            // rename publish a complete file.
            using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static void Fill(string file, int employees, int seed)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = file,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-65536;");
        // A plain BEGIN rather than SqliteTransaction: the reused insert commands then need no
        // transaction object, and one transaction is what makes bulk inserts fast.
        Execute(connection, "BEGIN;" + SampleSchema.Tables + SampleSchema.Views);

        using var writer = new SampleRowWriter(connection);
        var random = new Random(seed);

        for (var d = 0; d < SampleNames.Departments.Length; d++)
        {
            writer.Department(SampleNames.Departments[d].No, SampleNames.Departments[d].Name);
        }

        var managers = DrawManagers(random, employees);
        for (var i = 0; i < employees; i++)
        {
            WriteEmployee(writer, random, 10001 + i);
        }

        foreach (var (empNo, dept, from, to) in managers)
        {
            writer.DeptManager(empNo, dept, from, to);
        }

        Execute(connection, "COMMIT");
    }

    private static List<(long EmpNo, string Dept, string From, string To)> DrawManagers(Random random, int employees)
    {
        var managers = new List<(long, string, string, string)>();
        foreach (var (no, _, _) in SampleNames.Departments)
        {
            var count = Math.Min(1 + random.Next(3), employees);
            var chosen = new HashSet<long>();
            var from = FirstHire;
            for (var m = 0; m < count; m++)
            {
                long empNo;
                do
                {
                    empNo = 10001 + random.Next(employees);
                }
                while (!chosen.Add(empNo));

                var to = m == count - 1 ? Forever : from.AddDays(700 + random.Next(2500));
                managers.Add((empNo, no, Date(from), Date(to)));
                from = to;
            }
        }

        return managers;
    }

    private static void WriteEmployee(SampleRowWriter writer, Random random, long empNo)
    {
        var birth = FirstBirth.AddDays(random.Next(4750));
        var hire = FirstHire.AddDays(random.Next(5500));
        var gender = random.Next(5) < 3 ? "M" : "F";
        var first = SampleNames.FirstNames[random.Next(SampleNames.FirstNames.Length)];
        var last = SampleNames.LastNames[random.Next(SampleNames.LastNames.Length)];
        writer.Employee(empNo, Date(birth), first, last, gender, Date(hire));

        // One in ten leaves before the horizon; their history ends on the leaving day.
        var stop = Horizon;
        var end = Forever;
        var tenure = Horizon.DayNumber - hire.DayNumber;
        if (random.Next(10) == 0 && tenure > 400)
        {
            stop = hire.AddDays(365 + random.Next(tenure - 365));
            end = stop;
        }

        var span = stop.DayNumber - hire.DayNumber;
        var hireText = Date(hire);
        var endText = Date(end);

        var dept = PickDepartment(random);
        if (random.Next(10) == 0 && span > 60)
        {
            var moved = Date(hire.AddDays(30 + random.Next(span - 30)));
            var next = (dept + 1 + random.Next(SampleNames.Departments.Length - 1)) % SampleNames.Departments.Length;
            writer.DeptEmp(empNo, SampleNames.Departments[dept].No, hireText, moved);
            writer.DeptEmp(empNo, SampleNames.Departments[next].No, moved, endText);
        }
        else
        {
            writer.DeptEmp(empNo, SampleNames.Departments[dept].No, hireText, endText);
        }

        var (firstTitle, promoted) = SampleNames.IsEngineering(dept)
            ? random.Next(20) switch
            {
                0 => ("Technique Leader", (string?)null),
                1 or 2 => ("Assistant Engineer", "Engineer"),
                < 12 => ("Engineer", "Senior Engineer"),
                _ => ("Senior Engineer", null),
            }
            : random.Next(3) == 0 ? ("Senior Staff", null) : ("Staff", "Senior Staff");
        if (promoted is not null && random.Next(2) == 0 && span > 400)
        {
            var promotion = Date(hire.AddDays(365 + random.Next(span - 365)));
            writer.Title(empNo, firstTitle, hireText, promotion);
            writer.Title(empNo, promoted, promotion, endText);
        }
        else
        {
            writer.Title(empNo, firstTitle, hireText, endText);
        }

        long amount = 38000 + random.Next(50000);
        var from = hire;
        while (true)
        {
            var next = from.AddYears(1);
            var lastRow = next >= stop;
            writer.Salary(empNo, amount, Date(from), lastRow ? endText : Date(next));
            if (lastRow)
            {
                break;
            }

            from = next;
            amount = Math.Max(38000, amount + random.Next(-500, 4500));
        }
    }

    private static int PickDepartment(Random random)
    {
        var total = 0;
        foreach (var department in SampleNames.Departments)
        {
            total += department.Weight;
        }

        var pick = random.Next(total);
        for (var d = 0; d < SampleNames.Departments.Length; d++)
        {
            pick -= SampleNames.Departments[d].Weight;
            if (pick < 0)
            {
                return d;
            }
        }

        return SampleNames.Departments.Length - 1;
    }

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
