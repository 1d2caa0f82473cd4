namespace JitGate.Engines.Sqlite;

/// <summary>
/// DDL of the employee sample: the same tables, column names, declared types, keys and views as the
/// externally published employee sample database, so guides written for it work on generated copies.
/// </summary>
internal static class SampleSchema
{
    public const string Tables = """
        CREATE TABLE employee (
            emp_no      INTEGER         NOT NULL,
            birth_date  DATE            NOT NULL,
            first_name  TEXT            NOT NULL,
            last_name   TEXT            NOT NULL,
            gender      TEXT            NOT NULL CHECK (gender IN ('M','F')),
            hire_date   DATE            NOT NULL,
            PRIMARY KEY (emp_no)
        );
        CREATE TABLE department (
            dept_no     TEXT            NOT NULL,
            dept_name   TEXT            NOT NULL,
            PRIMARY KEY (dept_no),
            UNIQUE      (dept_name)
        );
        CREATE TABLE dept_manager (
            emp_no       INTEGER         NOT NULL,
            dept_no      TEXT            NOT NULL,
            from_date    DATE            NOT NULL,
            to_date      DATE            NOT NULL,
            FOREIGN KEY (emp_no)  REFERENCES employee (emp_no)    ON DELETE CASCADE,
            FOREIGN KEY (dept_no) REFERENCES department (dept_no) ON DELETE CASCADE,
            PRIMARY KEY (emp_no,dept_no)
        );
        CREATE TABLE dept_emp (
            emp_no      INTEGER         NOT NULL,
            dept_no     TEXT            NOT NULL,
            from_date   DATE            NOT NULL,
            to_date     DATE            NOT NULL,
            FOREIGN KEY (emp_no)  REFERENCES employee (emp_no)   ON DELETE CASCADE,
            FOREIGN KEY (dept_no) REFERENCES department (dept_no) ON DELETE CASCADE,
            PRIMARY KEY (emp_no,dept_no)
        );
        CREATE TABLE title (
            emp_no      INTEGER         NOT NULL,
            title       TEXT            NOT NULL,
            from_date   DATE            NOT NULL,
            to_date     DATE,
            FOREIGN KEY (emp_no) REFERENCES employee (emp_no) ON DELETE CASCADE,
            PRIMARY KEY (emp_no,title,from_date)
        );
        CREATE TABLE salary (
            emp_no      INTEGER         NOT NULL,
            amount      INTEGER         NOT NULL,
            from_date   DATE            NOT NULL,
            to_date     DATE            NOT NULL,
            FOREIGN KEY (emp_no) REFERENCES employee (emp_no) ON DELETE CASCADE,
            PRIMARY KEY (emp_no,from_date)
        );
        """;

    public const string Views = """
        CREATE VIEW dept_emp_latest_date AS
            SELECT emp_no, MAX(from_date) AS from_date, MAX(to_date) AS to_date
            FROM dept_emp
            GROUP BY emp_no;
        CREATE VIEW current_dept_emp AS
            SELECT l.emp_no, dept_no, l.from_date, l.to_date
            FROM dept_emp d
                INNER JOIN dept_emp_latest_date l
                ON d.emp_no=l.emp_no AND d.from_date=l.from_date AND l.to_date = d.to_date;
        """;
}
