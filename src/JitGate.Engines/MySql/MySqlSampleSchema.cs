using JitGate.Engines.Sqlite;

namespace JitGate.Engines.MySql;

/// <summary>
/// DDL of the employee sample on MySQL and MariaDB: the tables, keys and views of the PostgreSQL sample
/// (<c>employee</c>, <c>department</c>, <c>dept_emp</c>, <c>dept_manager</c>, <c>title</c>, <c>salary</c>,
/// views <c>dept_emp_latest_date</c> and <c>current_dept_emp</c>), in InnoDB with utf8mb4.
/// </summary>
internal static class MySqlSampleSchema
{
    public static readonly string[] Tables = ["department", "employee", "dept_emp", "dept_manager", "title", "salary"];

    public static readonly string[] Views = ["dept_emp_latest_date", "current_dept_emp"];

    public static readonly string[] CreateTables =
    [
        """
        CREATE TABLE employee (
            emp_no      INT         NOT NULL,
            birth_date  DATE        NOT NULL,
            first_name  VARCHAR(64) NOT NULL,
            last_name   VARCHAR(64) NOT NULL,
            gender      ENUM('M', 'F') NOT NULL,
            hire_date   DATE        NOT NULL,
            PRIMARY KEY (emp_no),
            KEY idx_employee_hire_date (hire_date)
        ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4
        """,
        """
        CREATE TABLE department (
            dept_no     CHAR(4)     NOT NULL,
            dept_name   VARCHAR(64) NOT NULL,
            PRIMARY KEY (dept_no),
            UNIQUE KEY (dept_name)
        ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4
        """,
        """
        CREATE TABLE dept_manager (
            emp_no      INT     NOT NULL,
            dept_no     CHAR(4) NOT NULL,
            from_date   DATE    NOT NULL,
            to_date     DATE    NOT NULL,
            PRIMARY KEY (emp_no, dept_no),
            FOREIGN KEY (emp_no) REFERENCES employee (emp_no) ON DELETE CASCADE,
            FOREIGN KEY (dept_no) REFERENCES department (dept_no) ON DELETE CASCADE
        ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4
        """,
        """
        CREATE TABLE dept_emp (
            emp_no      INT     NOT NULL,
            dept_no     CHAR(4) NOT NULL,
            from_date   DATE    NOT NULL,
            to_date     DATE    NOT NULL,
            PRIMARY KEY (emp_no, dept_no),
            FOREIGN KEY (emp_no) REFERENCES employee (emp_no) ON DELETE CASCADE,
            FOREIGN KEY (dept_no) REFERENCES department (dept_no) ON DELETE CASCADE
        ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4
        """,
        """
        CREATE TABLE title (
            emp_no      INT         NOT NULL,
            title       VARCHAR(64) NOT NULL,
            from_date   DATE        NOT NULL,
            to_date     DATE,
            PRIMARY KEY (emp_no, title, from_date),
            FOREIGN KEY (emp_no) REFERENCES employee (emp_no) ON DELETE CASCADE
        ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4
        """,
        """
        CREATE TABLE salary (
            emp_no      INT     NOT NULL,
            amount      INT     NOT NULL,
            from_date   DATE    NOT NULL,
            to_date     DATE    NOT NULL,
            PRIMARY KEY (emp_no, from_date),
            KEY idx_salary_amount (amount),
            FOREIGN KEY (emp_no) REFERENCES employee (emp_no) ON DELETE CASCADE
        ) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4
        """,
    ];

    public static readonly string[] CreateViews =
    [
        """
        CREATE VIEW dept_emp_latest_date AS
            SELECT emp_no, MAX(from_date) AS from_date, MAX(to_date) AS to_date
            FROM dept_emp
            GROUP BY emp_no
        """,
        """
        CREATE VIEW current_dept_emp AS
            SELECT l.emp_no, dept_no, l.from_date, l.to_date
            FROM dept_emp d
                INNER JOIN dept_emp_latest_date l
                ON d.emp_no = l.emp_no AND d.from_date = l.from_date AND l.to_date = d.to_date
        """,
    ];

    /// <summary>The INSERT head of <paramref name="table"/>, with its columns in the row source's field order.</summary>
    public static string InsertInto(SampleTable table) => table switch
    {
        SampleTable.Department => "INSERT INTO department (dept_no, dept_name) VALUES ",
        SampleTable.Employee => "INSERT INTO employee (emp_no, birth_date, first_name, last_name, gender, hire_date) VALUES ",
        SampleTable.DeptEmp => "INSERT INTO dept_emp (emp_no, dept_no, from_date, to_date) VALUES ",
        SampleTable.DeptManager => "INSERT INTO dept_manager (emp_no, dept_no, from_date, to_date) VALUES ",
        SampleTable.Title => "INSERT INTO title (emp_no, title, from_date, to_date) VALUES ",
        SampleTable.Salary => "INSERT INTO salary (emp_no, amount, from_date, to_date) VALUES ",
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "Unknown sample table."),
    };
}
