namespace JitGate.Engines.Sqlite;

/// <summary>Fixed vocabularies of the generated sample; changing them changes every generated database.</summary>
internal static class SampleNames
{
    public static readonly string[] FirstNames =
    [
        "Ada", "Alan", "Alma", "Amir", "Ana", "Anders", "Aria", "Arjun", "Astrid", "Bao",
        "Beatriz", "Bruno", "Carla", "Chen", "Chiara", "Dara", "David", "Dmitri", "Elena", "Elif",
        "Emeka", "Emil", "Farah", "Felix", "Freya", "Gabriel", "Greta", "Hana", "Hugo", "Ines",
        "Ivan", "Jonas", "Julia", "Kai", "Kenji", "Lara", "Leila", "Liam", "Lina", "Luca",
        "Maja", "Malik", "Marta", "Mateo", "Mei", "Mira", "Nadia", "Nico", "Noor", "Olga",
        "Omar", "Oskar", "Paula", "Priya", "Rafael", "Rosa", "Sami", "Sara", "Tariq", "Theo",
        "Tomas", "Uma", "Vera", "Viktor", "Wen", "Yara", "Yusuf", "Zoe", "Zora", "Ravi",
    ];

    public static readonly string[] LastNames =
    [
        "Abara", "Berglund", "Castillo", "Dimitrov", "Eriksen", "Fontaine", "Garcia", "Halvorsen",
        "Ito", "Jovanovic", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov",
        "Quinn", "Rossi", "Sato", "Tanaka", "Ulrich", "Varga", "Weber", "Xu", "Yilmaz",
        "Zimmermann", "Almeida", "Brennan", "Chowdhury", "Delgado", "Esposito", "Fischer", "Gupta",
        "Horvat", "Iyer", "Jensen", "Kim", "Larsen", "Mendes", "Novak", "Olsen", "Park", "Reyes",
        "Schmidt", "Takahashi", "Van Dijk", "Wagner", "Zhang", "Haddad", "Mbeki",
    ];

    /// <summary>Department number, name, and relative head count.</summary>
    public static readonly (string No, string Name, int Weight)[] Departments =
    [
        ("d001", "Marketing", 7),
        ("d002", "Finance", 6),
        ("d003", "Human Resources", 6),
        ("d004", "Production", 25),
        ("d005", "Development", 28),
        ("d006", "Quality Management", 7),
        ("d007", "Sales", 17),
        ("d008", "Research", 7),
        ("d009", "Customer Service", 8),
    ];

    /// <summary>Departments whose staff follow the engineering title track.</summary>
    public static bool IsEngineering(int department) => department is 3 or 4 or 5 or 7;
}
