using JitGate.Engines.Sqlite;

namespace JitGate.Engines.Postgres;

/// <summary>
/// DDL of the employee sample on PostgreSQL: the column names, types, keys, indexes and views of the
/// externally published PostgreSQL employee sample (its audit table, trigger and RLS policy are left
/// out). employee.emp_no is a plain integer rather than SERIAL: the rows bring their own numbers, and a
/// sequence left at 1 would only collide with them. Tables are created bare; <see cref="Keys"/> adds the
/// keys after the rows are loaded, which is much faster than checking them row by row.
/// </summary>
internal static class PostgresSampleSchema
{
    public const string Tables = """
        CREATE TABLE public.employee (
            emp_no      integer NOT NULL,
            birth_date  date    NOT NULL,
            first_name  text    NOT NULL,
            last_name   text    NOT NULL,
            gender      text    NOT NULL CHECK (gender IN ('M', 'F')),
            hire_date   date    NOT NULL
        );
        CREATE TABLE public.department (
            dept_no     text    NOT NULL,
            dept_name   text    NOT NULL
        );
        CREATE TABLE public.dept_manager (
            emp_no      integer NOT NULL,
            dept_no     text    NOT NULL,
            from_date   date    NOT NULL,
            to_date     date    NOT NULL
        );
        CREATE TABLE public.dept_emp (
            emp_no      integer NOT NULL,
            dept_no     text    NOT NULL,
            from_date   date    NOT NULL,
            to_date     date    NOT NULL
        );
        CREATE TABLE public.title (
            emp_no      integer NOT NULL,
            title       text    NOT NULL,
            from_date   date    NOT NULL,
            to_date     date
        );
        CREATE TABLE public.salary (
            emp_no      integer NOT NULL,
            amount      integer NOT NULL,
            from_date   date    NOT NULL,
            to_date     date    NOT NULL
        );
        """;

    /// <summary>Keys and indexes, named as PostgreSQL names them in the published sample.</summary>
    public const string Keys = """
        ALTER TABLE public.employee ADD PRIMARY KEY (emp_no);
        CREATE INDEX idx_employee_hire_date ON public.employee (hire_date);
        ALTER TABLE public.department ADD PRIMARY KEY (dept_no), ADD UNIQUE (dept_name);
        ALTER TABLE public.dept_manager
            ADD PRIMARY KEY (emp_no, dept_no),
            ADD FOREIGN KEY (emp_no) REFERENCES public.employee (emp_no) ON DELETE CASCADE,
            ADD FOREIGN KEY (dept_no) REFERENCES public.department (dept_no) ON DELETE CASCADE;
        ALTER TABLE public.dept_emp
            ADD PRIMARY KEY (emp_no, dept_no),
            ADD FOREIGN KEY (emp_no) REFERENCES public.employee (emp_no) ON DELETE CASCADE,
            ADD FOREIGN KEY (dept_no) REFERENCES public.department (dept_no) ON DELETE CASCADE;
        ALTER TABLE public.title
            ADD PRIMARY KEY (emp_no, title, from_date),
            ADD FOREIGN KEY (emp_no) REFERENCES public.employee (emp_no) ON DELETE CASCADE;
        ALTER TABLE public.salary
            ADD PRIMARY KEY (emp_no, from_date),
            ADD FOREIGN KEY (emp_no) REFERENCES public.employee (emp_no) ON DELETE CASCADE;
        CREATE INDEX idx_salary_amount ON public.salary (amount);
        """;

    public const string Views = """
        CREATE VIEW public.dept_emp_latest_date AS
            SELECT emp_no, MAX(from_date) AS from_date, MAX(to_date) AS to_date
            FROM public.dept_emp
            GROUP BY emp_no;
        CREATE VIEW public.current_dept_emp AS
            SELECT l.emp_no, dept_no, l.from_date, l.to_date
            FROM public.dept_emp d
                INNER JOIN public.dept_emp_latest_date l
                ON d.emp_no = l.emp_no AND d.from_date = l.from_date AND l.to_date = d.to_date;
        """;

    /// <summary>The table and column list a COPY of <paramref name="table"/> writes, in the row source's field order.</summary>
    public static string CopyTarget(SampleTable table) => table switch
    {
        SampleTable.Department => "public.department (dept_no, dept_name)",
        SampleTable.Employee => "public.employee (emp_no, birth_date, first_name, last_name, gender, hire_date)",
        SampleTable.DeptEmp => "public.dept_emp (emp_no, dept_no, from_date, to_date)",
        SampleTable.DeptManager => "public.dept_manager (emp_no, dept_no, from_date, to_date)",
        SampleTable.Title => "public.title (emp_no, title, from_date, to_date)",
        SampleTable.Salary => "public.salary (emp_no, amount, from_date, to_date)",
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "Unknown sample table."),
    };
}
