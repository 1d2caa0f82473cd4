namespace JitGate.Engines.Sqlite;

/// <summary>A table of the employee sample.</summary>
internal enum SampleTable
{
    Department,
    Employee,
    DeptEmp,
    DeptManager,
    Title,
    Salary,
}

/// <summary>
/// One generated row. Which fields are used depends on <see cref="Table"/>:
/// department (<see cref="Text"/> = dept_no, <see cref="Name"/> = dept_name);
/// employee (<see cref="EmpNo"/>, <see cref="From"/> = birth_date, <see cref="Text"/> = first_name,
/// <see cref="Name"/> = last_name, <see cref="Gender"/>, <see cref="To"/> = hire_date);
/// dept_emp and dept_manager (<see cref="EmpNo"/>, <see cref="Text"/> = dept_no, <see cref="From"/>, <see cref="To"/>);
/// title (<see cref="EmpNo"/>, <see cref="Text"/> = title, <see cref="From"/>, <see cref="To"/>);
/// salary (<see cref="EmpNo"/>, <see cref="Amount"/>, <see cref="From"/>, <see cref="To"/>).
/// </summary>
internal readonly record struct SampleRow(
    SampleTable Table, int EmpNo, string Text, string Name, string Gender, int Amount, DateOnly From, DateOnly To);

/// <summary>
/// The deterministic rows of the generated employee sample, in the order they are written: departments,
/// then per employee its employee, dept_emp, title and salary rows, then the department managers. Every
/// engine's generator enumerates this one source, so the same arguments give the same data everywhere.
/// </summary>
internal static class SampleRows
{
    private static readonly DateOnly Forever = new(9999, 1, 1);
    private static readonly DateOnly Horizon = new(2002, 8, 1);
    private static readonly DateOnly FirstHire = new(1985, 1, 1);
    private static readonly DateOnly FirstBirth = new(1952, 2, 1);

    /// <summary>
    /// Every row for <paramref name="employees"/> employees and <paramref name="seed"/>. When
    /// <paramref name="perEmployee"/> is false, the employee, dept_emp, title and salary rows are skipped
    /// without being drawn (departments and managers do not depend on them), which makes enumerating only
    /// department or dept_manager cheap.
    /// </summary>
    public static IEnumerable<SampleRow> Enumerate(int employees, int seed, bool perEmployee = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(employees);
        return Produce(employees, seed, perEmployee);
    }

    private static IEnumerable<SampleRow> Produce(int employees, int seed, bool perEmployee)
    {
        var random = new Random(seed);
        foreach (var (no, name, _) in SampleNames.Departments)
        {
            yield return new SampleRow(SampleTable.Department, 0, no, name, "", 0, default, default);
        }

        var managers = DrawManagers(random, employees);
        if (perEmployee)
        {
            var buffer = new List<SampleRow>(32);
            for (var i = 0; i < employees; i++)
            {
                buffer.Clear();
                Employee(buffer, random, 10001 + i);
                foreach (var row in buffer)
                {
                    yield return row;
                }
            }
        }

        foreach (var row in managers)
        {
            yield return row;
        }
    }

    private static List<SampleRow> DrawManagers(Random random, int employees)
    {
        var managers = new List<SampleRow>();
        foreach (var (no, _, _) in SampleNames.Departments)
        {
            var count = Math.Min(1 + random.Next(3), employees);
            var chosen = new HashSet<int>();
            var from = FirstHire;
            for (var m = 0; m < count; m++)
            {
                int empNo;
                do
                {
                    empNo = 10001 + random.Next(employees);
                }
                while (!chosen.Add(empNo));

                var to = m == count - 1 ? Forever : from.AddDays(700 + random.Next(2500));
                managers.Add(Dated(SampleTable.DeptManager, empNo, no, from, to));
                from = to;
            }
        }

        return managers;
    }

    private static void Employee(List<SampleRow> rows, Random random, int empNo)
    {
        var birth = FirstBirth.AddDays(random.Next(4750));
        var hire = FirstHire.AddDays(random.Next(5500));
        var gender = random.Next(5) < 3 ? "M" : "F";
        var first = SampleNames.FirstNames[random.Next(SampleNames.FirstNames.Length)];
        var last = SampleNames.LastNames[random.Next(SampleNames.LastNames.Length)];
        rows.Add(new SampleRow(SampleTable.Employee, empNo, first, last, gender, 0, birth, hire));

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

        var dept = PickDepartment(random);
        if (random.Next(10) == 0 && span > 60)
        {
            var moved = hire.AddDays(30 + random.Next(span - 30));
            var next = (dept + 1 + random.Next(SampleNames.Departments.Length - 1)) % SampleNames.Departments.Length;
            rows.Add(Dated(SampleTable.DeptEmp, empNo, SampleNames.Departments[dept].No, hire, moved));
            rows.Add(Dated(SampleTable.DeptEmp, empNo, SampleNames.Departments[next].No, moved, end));
        }
        else
        {
            rows.Add(Dated(SampleTable.DeptEmp, empNo, SampleNames.Departments[dept].No, hire, end));
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
            var promotion = hire.AddDays(365 + random.Next(span - 365));
            rows.Add(Dated(SampleTable.Title, empNo, firstTitle, hire, promotion));
            rows.Add(Dated(SampleTable.Title, empNo, promoted, promotion, end));
        }
        else
        {
            rows.Add(Dated(SampleTable.Title, empNo, firstTitle, hire, end));
        }

        var amount = 38000 + random.Next(50000);
        var from = hire;
        while (true)
        {
            var next = from.AddYears(1);
            var lastRow = next >= stop;
            rows.Add(new SampleRow(SampleTable.Salary, empNo, "", "", "", amount, from, lastRow ? end : next));
            if (lastRow)
            {
                break;
            }

            from = next;
            amount = Math.Max(38000, amount + random.Next(-500, 4500));
        }
    }

    private static SampleRow Dated(SampleTable table, int empNo, string text, DateOnly from, DateOnly to) =>
        new(table, empNo, text, "", "", 0, from, to);

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
}
